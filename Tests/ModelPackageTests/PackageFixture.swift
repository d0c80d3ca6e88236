import Foundation
import HDF5
import PTQKit
import QuantCore

/// Builds small packages from seeded synthetic tensors, in a scratch directory removed by `cleanUp()`.
struct PackageFixture {
    /// The scratch directory.
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-pkg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// One tensor to store: name, shape, scheme (nil: float32) and the values.
    struct Tensor {
        var layer: String
        var dataset: String
        var role: String
        var shape: [Int]
        var scheme: AffineScheme?
        var values: [Float]
        var minifloat: FloatFormatQuantizer? = nil
    }

    /// Deterministic pseudo-random values in about [-scale, scale] with a positive `offset`.
    static func values(count: Int, seed: UInt64, scale: Float = 1, offset: Float = 0) -> [Float] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Float(state >> 40) / Float(1 << 24)
            return (unit * 2 - 1) * scale + offset
        }
    }

    /// A representative mix: int8 per-channel symmetric, int4 per-group, uint8 asymmetric per-tensor,
    /// int2 per-channel, int16 per-tensor, and a float32 (excluded) bias.
    static func tensors() throws -> [Tensor] {
        [
            Tensor(
                layer: "fc1", dataset: "/fc1/weight", role: "weight", shape: [16, 24],
                scheme: try AffineScheme(
                    format: try IntegerFormat(bits: 8, signed: true, narrow: true), granularity: .perChannel(axis: 0)),
                values: values(count: 16 * 24, seed: 1)),
            Tensor(
                layer: "fc1", dataset: "/fc1/bias", role: "bias", shape: [16], scheme: nil,
                values: values(count: 16, seed: 2, scale: 0.1)),
            Tensor(
                layer: "fc2", dataset: "/fc2/weight", role: "weight", shape: [10, 33],
                scheme: try AffineScheme(
                    format: .int4, symmetry: .asymmetric, granularity: .perGroup(axis: 1, size: 8)),
                values: values(count: 10 * 33, seed: 3, scale: 2, offset: 0.5)),
            Tensor(
                layer: "fc3", dataset: "/fc3/weight", role: "weight", shape: [4, 5, 3],
                scheme: try AffineScheme(
                    format: .uint8, symmetry: .asymmetric, granularity: .perTensor, profile: .onnxruntime),
                values: values(count: 60, seed: 4, scale: 3, offset: 1)),
            Tensor(
                layer: "fc4", dataset: "/blocks/0/fc4/kernel:0", role: "weight", shape: [7, 9],
                scheme: try AffineScheme(format: .int2, granularity: .perChannel(axis: 1)),
                values: values(count: 63, seed: 5)),
            Tensor(
                layer: "fc5", dataset: "/fc5/weight", role: "weight", shape: [3, 11],
                scheme: try AffineScheme(format: .int16, rounding: .toNearestOrAwayFromZero, profile: .aimet),
                values: values(count: 33, seed: 6, scale: 100)),
            bias,
            Tensor(
                layer: "fc6", dataset: "/fc6/weight", role: "weight", shape: [6, 10], scheme: nil,
                values: values(count: 60, seed: 7, scale: 4),
                minifloat: try FloatFormatQuantizer(format: .fp8E4M3FN, granularity: .perChannel(axis: 0))),
            Tensor(
                layer: "fc7", dataset: "/fc7/weight", role: "weight", shape: [4, 12], scheme: nil,
                values: values(count: 48, seed: 8, scale: 0.5),
                minifloat: try FloatFormatQuantizer(
                    format: .fp4E2M1, granularity: .perGroup(axis: 1, size: 5), scaleRule: .powerOfTwo)),
        ]
    }

    /// A bias stored as int32 with one scale per output channel (`s_in · s_w[c]`).
    static let bias = Tensor(
        layer: "fc5", dataset: "/fc5/bias", role: "bias", shape: [3], scheme: nil, values: [0.25, -1.5, 1e-3])
    /// Its scales.
    static let biasScales: [Float] = [1e-4, 2e-5, 3e-7]

    /// An activation record as the calibrator would produce it.
    static let activation = ActivationRecord(
        datasets: ["/fc1/input"], observer: "percentile", observerOptions: ["percentile": .double(99.9)],
        elementCount: 4096, nanCount: 1, infCount: 0, observedMin: -0.25, observedMax: 6.5, rangeMin: 0, rangeMax: 6,
        clippingFraction: 0.001, format: "int8", bits: 8, signed: true, narrowRange: false, qmin: -128, qmax: 127,
        scheme: "asymmetric", schemeReason: "auto: asymmetric lowers the expected error by 38 %", profile: "ptqkit",
        rounding: "half-even", scale: 6 / 255, zeroPoint: -128)

    /// Writes the original tensors to `weights.h5` in the scratch directory (once) and returns its path.
    func writeWeights(_ tensors: [Tensor]) throws -> String {
        let path = "\(directory)/weights.h5"
        guard !FileManager.default.fileExists(atPath: path) else { return path }
        let file = try File(path, mode: .create)
        for tensor in tensors {
            try file.createDataset(tensor.dataset, type: .float32, shape: tensor.shape).write(tensor.values)
        }
        return path
    }

    /// Writes a package of `tensors` at `name` in the scratch directory and returns its path.
    @discardableResult
    func build(_ name: String = "pkg", tensors: [Tensor]? = nil, force: Bool = false) throws -> String {
        let destination = "\(directory)/\(name)"
        let tensors = try tensors ?? Self.tensors()
        var builder = try PackageBuilder(destination: destination, force: force, inputs: [])
        var layers: [String: LayerRecord] = [:]
        for tensor in tensors {
            let record: TensorRecord
            if tensor.dataset == Self.bias.dataset {
                record = try builder.tensors.writeInt32(
                    dataset: tensor.dataset, role: tensor.role, values: tensor.values, shape: tensor.shape,
                    originalDtype: "float32", scales: Self.biasScales, reason: "s_input * s_weight[c]")
            } else if let quantizer = tensor.minifloat {
                record = try builder.tensors.writeMinifloat(
                    dataset: tensor.dataset, role: tensor.role, values: tensor.values, shape: tensor.shape,
                    originalDtype: "float32", quantizer: quantizer)
            } else if let scheme = tensor.scheme {
                let parameters = try scheme.parameters(fitting: tensor.values, shape: tensor.shape)
                record = try builder.tensors.writeAffine(
                    dataset: tensor.dataset, role: tensor.role, values: tensor.values, shape: tensor.shape,
                    originalDtype: "float32", parameters: parameters, symmetry: scheme.symmetry,
                    profile: scheme.profile)
            } else {
                record = try builder.tensors.writeFloat32(
                    dataset: tensor.dataset, role: tensor.role, values: tensor.values, shape: tensor.shape,
                    originalDtype: "float32", note: "excluded by configuration")
            }
            layers[tensor.layer, default: LayerRecord(name: tensor.layer)].tensors.append(record)
        }
        layers["fc1"]?.activation = Self.activation
        let manifest = Manifest(
            ptqkitVersion: "0.0.0-test",
            inputs: [try InputFile(role: .weights, hashing: try writeWeights(tensors), algorithm: .sha256)],
            config: .object(["version": .int(1), "weights": .object(["bits": .int(8)])]),
            layers: Array(layers.values))
        try builder.finish(manifest: manifest)
        return destination
    }
}
