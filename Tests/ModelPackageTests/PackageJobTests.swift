import Foundation
import HDF5
import QuantCore
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// ``PackageJob`` on the bundled digits network's weights (Calibration/weights.h5).
struct PackageJobTests {
    static let weights = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Calibration/weights.h5").path

    /// W8 per-channel symmetric weights, float32 biases, as a plan.
    static func plan() throws -> PackagePlan {
        let file = try File(weights)
        let scheme = try AffineScheme(format: IntegerFormat(bits: 8, signed: true, narrow: true), granularity: .perChannel(axis: 0))
        var tensors: [PackagePlan.Tensor] = []
        for layer in ["fc1", "fc2", "fc3"] {
            let dataset = try file.openDataset("/\(layer)/weight")
            let parameters = try scheme.parameters(fitting: try dataset.read(as: Float.self), shape: dataset.shape)
            tensors.append(
                PackagePlan.Tensor(
                    layer: layer, dataset: "/\(layer)/weight", role: "weight",
                    storage: .affine(parameters, symmetry: .symmetric, profile: .ptqkit, schemeReason: nil)))
            tensors.append(
                PackagePlan.Tensor(layer: layer, dataset: "/\(layer)/bias", role: "bias", storage: .float32(note: "bias kept in float32")))
        }
        return PackagePlan(
            layers: ["fc1", "fc2", "fc3"], tensors: tensors, policies: ["fc2": .object(["excluded": .bool(false)])])
    }

    @Test func bundledNetworkPackageVerifiesAgainstItsWeights() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/w8"
        var steps: [Int] = []
        let manifest = try PackageJob.write(
            plan: try Self.plan(), weights: Self.weights, inputs: [try InputFile(role: .weights, hashing: Self.weights)], config: .object([:]),
            toolVersion: "test", destination: destination, force: false, progress: { done, _, _ in steps.append(done) })
        #expect(steps == Array(0...6))
        #expect(manifest.layers.map(\.name) == ["fc1", "fc2", "fc3"])
        #expect(manifest.layers.map(\.policy) == [nil, .object(["excluded": .bool(false)]), nil])
        #expect(ManifestSchema.violations(ofJSON: try manifest.encoded()) == [])
        #expect(manifest.inputs.first?.size == (try FileManager.default.attributesOfItem(atPath: Self.weights)[.size] as? Int))
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
        try PackageJob.write(
            plan: try Self.plan(), weights: Self.weights, inputs: [], config: .object([:]), toolVersion: "old",
            destination: destination, force: false)
        var broken = try Self.plan()
        broken.tensors.append(PackagePlan.Tensor(layer: "fc9", dataset: "/fc9/weight", role: "weight", storage: .float32(note: "")))
        #expect(throws: PackageError.self) {
            try PackageJob.write(
                plan: broken, weights: Self.weights, inputs: [], config: .object([:]), toolVersion: "new",
                destination: destination, force: true)
        }
        #expect(try PackageReader(path: destination).manifest.ptqkitVersion == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted() == ["pkg"])
    }
}
