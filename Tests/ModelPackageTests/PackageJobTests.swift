import Calibrator
import Foundation
import HDF5
import QuantCore
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// ``PackageJob`` on the bundled digits network's weights (Calibration/weights.h5).
struct PackageJobTests {
    static let weights = TestPaths.inRepository("Calibration/weights.h5").path

    /// W8 per-channel symmetric weights with their codes and metrics, float32 biases.
    static func tensors() throws -> [CalibratedTensor] {
        let file = try File(weights)
        let scheme = try AffineScheme(
            format: IntegerFormat(bits: 8, signed: true, narrow: true), granularity: .perChannel(axis: 0))
        var tensors: [CalibratedTensor] = []
        for layer in ["fc1", "fc2", "fc3"] {
            let weight = try file.openDataset("/\(layer)/weight")
            let values = try weight.read(as: Float.self)
            let parameters = try scheme.parameters(fitting: values, shape: weight.shape)
            let codes = try parameters.quantize(values, as: Int32.self)
            let metrics = try ErrorMetrics(reference: values, reconstruction: try parameters.dequantize(codes))
            tensors.append(
                CalibratedTensor(
                    layer: layer, dataset: "/\(layer)/weight", role: "weight", shape: weight.shape,
                    elementType: "float32",
                    content: .affine(
                        codes: codes, parameters: parameters, symmetry: .symmetric, profile: .ptqkit, schemeReason: nil,
                        metrics: metrics)))
            let bias = try file.openDataset("/\(layer)/bias")
            tensors.append(
                CalibratedTensor(
                    layer: layer, dataset: "/\(layer)/bias", role: "bias", shape: bias.shape, elementType: "float32",
                    content: .float32(values: try bias.read(as: Float.self), note: "bias kept in float32")))
        }
        return tensors
    }

    static let plan = PackagePlan(
        layers: ["fc1", "fc2", "fc3"], policies: ["fc2": .object(["excluded": .bool(false)])])

    @Test func bundledNetworkPackageVerifiesAgainstItsWeights() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/w8"
        var job = try PackageJob(destination: destination, force: false, inputs: [])
        for tensor in try Self.tensors() { try job.store(tensor) }
        #expect(job.storedCount == 6)
        let manifest = try job.finish(
            plan: Self.plan, inputs: [try InputFile(role: .weights, hashing: Self.weights, algorithm: .xxh3)],
            config: .object([:]),
            toolVersion: "test")
        #expect(manifest.layers.map(\.name) == ["fc1", "fc2", "fc3"])
        #expect(manifest.layers.map(\.policy) == [nil, .object(["excluded": .bool(false)]), nil])
        #expect(ManifestSchema.violations(ofJSON: try manifest.encoded()) == [])
        #expect(
            manifest.inputs.first?.size
                == (try FileManager.default.attributesOfItem(atPath: Self.weights)[.size] as? Int))
        let report = try PackageVerifier.verify(path: destination, against: Self.weights)
        #expect(report.passed, "\(report.problems)")
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        for tensor in manifest.tensors where tensor.role == "weight" {
            #expect((tensor.metrics?.sqnrDecibels ?? 0) > 35, "\(tensor.dataset)")
        }
    }

    @Test func failedJobLeavesNothingAndKeepsTheOldPackage() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        var old = try PackageJob(destination: destination, force: false, inputs: [])
        for tensor in try Self.tensors() { try old.store(tensor) }
        try old.finish(plan: Self.plan, inputs: [], config: .object([:]), toolVersion: "old")
        #expect(throws: PackageError.self) {
            var job = try PackageJob(destination: destination, force: true, inputs: [])
            let tensors = try Self.tensors()
            for tensor in tensors { try job.store(tensor) }
            try job.store(tensors[0])  // the same dataset twice
        }
        #expect(try PackageReader(path: destination).manifest.ptqkitVersion == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted() == ["pkg"])
    }
}
