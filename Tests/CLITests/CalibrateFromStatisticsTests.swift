import Foundation
import PTQKit
import TestSupport
import Testing

@Suite("ptq calibrate --stats")
struct CalibrateFromStatisticsTests {
    static let weights = "Calibration/weights.h5"
    static let config = "Configs/w8a8-per-channel.yaml"

    /// Also with input moments (`w8a8-moments.yaml`: their datasets in tensors.h5 and records in the manifest).
    @Test(arguments: [Self.config, "Tests/Fixtures/export/w8a8-moments.yaml"], [1, 2, 3, 7])
    func packageFromMergedShardsIsByteIdenticalToOneCalibration(config: String, shards: Int) throws {
        let directory = try scratchDirectory("calibrate-stats")
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SplitMix64(seed: UInt64(shards) &* 0x9E37_79B9_7F4A_7C15)
        let files = try writeSplitActivations(3, into: directory).shuffled(using: &rng)
        let reference = directory.appendingPathComponent("reference.ptq").path
        let single = try PTQProcess.run(
            ["calibrate", "--weights", Self.weights, "--activations"] + files.sorted()
                + ["--config", config, "--output", reference, "--quiet"])
        try #require(single.status == 0, "\(single.stderr)")

        let package = try packageFromShardStatistics(
            shardOrder: (0..<shards).shuffled(using: &rng), count: shards, files: { files.shuffled(using: &rng) },
            config: config, weights: Self.weights, directory: directory,
            mergeOrder: { $0.shuffled(using: &rng) })
        let expected = try packageFiles(reference)
        let actual = try packageFiles(package)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, data) in expected { #expect(actual[name] == data, "\(name) differs") }
    }

    @Test func recalibratesWithAnotherConfigWithoutTheActivations() throws {
        let directory = try scratchDirectory("recalibrate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeSplitActivations(2, into: directory)
        let stats = directory.appendingPathComponent("s.ptqstats").path
        let observe = try PTQProcess.run(
            ["observe", "--activations"] + files + ["--config", "Configs/int8.yaml", "-o", stats, "--quiet"])
        try #require(observe.status == 0, "\(observe.stderr)")
        let other = directory.appendingPathComponent("other.json").path
        try Data(#"{"version": 1, "activations": {"observer": "entropy", "bits": 6}}"#.utf8).write(
            to: URL(fileURLWithPath: other))
        let reference = directory.appendingPathComponent("reference.ptq").path
        let direct = try PTQProcess.run(
            ["calibrate", "--weights", Self.weights, "--activations"] + files
                + ["--config", other, "--output", reference, "--quiet"])
        try #require(direct.status == 0, "\(direct.stderr)")
        for file in files { try FileManager.default.removeItem(atPath: file) }  // not read again
        let package = directory.appendingPathComponent("recalibrated.ptq").path
        let again = try PTQProcess.run(
            [
                "calibrate", "--stats", stats, "--config", other, "--weights", Self.weights, "--output", package,
                "--quiet",
            ])
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try packageFiles(package) == packageFiles(reference))
        let verify = try PTQProcess.run(["verify", package, "--against", Self.weights])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func incompleteOrCorruptedStatisticsAreRefused() throws {
        let directory = try scratchDirectory("calibrate-stats-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let acts = "Calibration/activations.h5"
        let shard = directory.appendingPathComponent("s0.ptqstats").path
        let r = try PTQProcess.run(["observe", "--activations", acts, "--shard", "0/2", "-o", shard, "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let out = directory.appendingPathComponent("p.ptq").path
        let partial = try PTQProcess.run(["calibrate", "--stats", shard, "--weights", Self.weights, "--output", out])
        #expect(partial.status == 65 && partial.stderr.contains("lacks shards 1 of 2"), "\(partial.stderr)")
        let truncated = directory.appendingPathComponent("cut.ptqstats").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: shard)).prefix(1000)).write(
            to: URL(fileURLWithPath: truncated))
        let cut = try PTQProcess.run(["calibrate", "--stats", truncated, "--weights", Self.weights, "--output", out])
        #expect(cut.status == 65 && cut.stderr.contains("cut.ptqstats: corrupted"), "\(cut.stderr)")
        let both = try PTQProcess.run(["calibrate", "--stats", shard, "--activations", acts, "--output", out])
        #expect(both.status == 64)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
