import Foundation
import HDF5
import PTQKit
import Testing

/// A calibration job reads each tensor of the weights file exactly once (counted by HDF5 for every
/// whole-dataset read, whoever makes it): the calibrator reads and
/// quantizes it, and the package writer stores the codes it is handed (issue #12: the writer used to
/// read and quantize every weight a second time).
@Suite struct WeightReadTests {
    @Test(arguments: ["int8.yaml", "overrides.yaml", "w4-per-group.yaml"], [1, 2])
    func weightsOnlyJobReadsEachWeightTensorOnce(config: String, threads: Int) throws {
        let scratch = try ScratchDirectory("weight-reads")
        defer { scratch.remove() }
        // A private copy, so that the counts of this file are this test's alone.
        let weights = scratch.path("weights.h5")
        try FileManager.default.copyItem(atPath: Bundled.weights, toPath: weights)
        let datasets = try File(weights).walk().filter { $0.kind == .dataset }.map(\.path)
        let job = CalibrationJob(
            inputs: CalibrationJob.Inputs(weights: weights, config: Bundled.config(config)),
            output: scratch.path("pkg"),
            options: CalibrationJob.Options(threads: threads))
        let result = try job.run()

        #expect(
            WholeDatasetReads.shared.reads(of: weights) == Dictionary(uniqueKeysWithValues: datasets.map { ($0, 1) }))
        // Every tensor read is in the package, and the package is sound.
        #expect(Set(result.manifest.tensors.map(\.dataset)) == Set(datasets))
        let report = try PackageVerifier.verify(path: scratch.path("pkg"), against: weights)
        #expect(report.passed, "\(report.problems)")
    }
}
