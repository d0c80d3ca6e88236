import Foundation
import TestSupport
import Testing

/// Per-channel activations through the real `ptq`: calibrate → verify, a tampered channel scale found by
/// verify, and sharded statistics giving the same package byte for byte.
@Suite("ptq per-channel activations")
struct PerChannelActivationCLITests {
    static let weights = "Calibration/weights.h5"
    static let acts = "Calibration/activations.h5"

    /// A config with per-channel activations (`extra`: more activation keys).
    static func config(in directory: URL, _ extra: String = "") throws -> String {
        let path = directory.appendingPathComponent("per-channel.yaml").path
        let text = "version: 1\nactivations:\n  granularity: per-channel\n\(extra)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: ["", "  zero-point: shared\n", "  observer: {name: percentile, options: {percentile: 99.9}}\n"])
    func calibrateThenVerify(extra: String) throws {
        let directory = try scratchDirectory("per-channel-acts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory, extra)
        let package = directory.appendingPathComponent("p.ptq").path
        let r = try PTQProcess.run(
            [
                "calibrate", "--weights", Self.weights, "--activations", Self.acts, "--config", config, "--output",
                package,
                "--quiet",
            ])
        try #require(r.status == 0, "\(r.stderr)")
        let manifest = try PTQProcess.json(
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(package)/manifest.json")), as: UTF8.self))
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        let fc2 = try #require(layers.first { $0["name"] as? String == "fc2" }?["activation"] as? [String: Any])
        #expect(fc2["granularity"] as? String == "per-channel")
        #expect(fc2["axis"] as? Int == 1)
        #expect((fc2["scales"] as? [Any])?.count == 128)
        #expect(fc2["scale"] == nil && fc2["zero_point"] == nil)
        let zeroPoints = try #require(fc2["zero_points"] as? [Int])
        #expect(zeroPoints.count == 128)
        if extra.contains("shared") {
            #expect(Set(zeroPoints).count == 1)
            #expect(fc2["zero_point_sharing"] as? String == "shared")
        }
        let verify = try PTQProcess.run(["verify", package, "--against", Self.weights])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func verifyFindsAnEditedChannelScale() throws {
        let directory = try scratchDirectory("per-channel-tamper")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory)
        let package = directory.appendingPathComponent("p.ptq").path
        let r = try PTQProcess.run(
            ["calibrate", "--activations", Self.acts, "--config", config, "--output", package, "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let url = URL(fileURLWithPath: "\(package)/manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var layers = try #require(manifest["layers"] as? [[String: Any]])
        let index = try #require(layers.firstIndex { $0["name"] as? String == "fc1" })
        var activation = try #require(layers[index]["activation"] as? [String: Any])
        var scales = try #require(activation["scales"] as? [Double])
        scales[3] *= 1.5
        activation["scales"] = scales
        layers[index]["activation"] = activation
        manifest["layers"] = layers
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: url)
        let verify = try PTQProcess.run(["verify", package])
        #expect(verify.status != 0)
        #expect(verify.stderr.contains("fc1") && verify.stderr.contains("channel 3"), "\(verify.stderr)")
    }

    @Test(arguments: [2, 3])
    func packageFromMergedShardsIsByteIdenticalToOneCalibration(shards: Int) throws {
        let directory = try scratchDirectory("per-channel-stats")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory, "  observer: histogram\n  scheme: auto\n")
        let files = try writeSplitActivations(3, into: directory)
        let reference = directory.appendingPathComponent("reference.ptq").path
        let single = try PTQProcess.run(
            ["calibrate", "--weights", Self.weights, "--activations"] + files.sorted()
                + ["--config", config, "--output", reference, "--quiet"])
        try #require(single.status == 0, "\(single.stderr)")
        let package = try packageFromShardStatistics(
            shardOrder: Array((0..<shards).reversed()), count: shards, files: { Array(files.reversed()) },
            config: config,
            weights: Self.weights, directory: directory)
        let expected = try packageFiles(reference)
        let actual = try packageFiles(package)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, data) in expected { #expect(actual[name] == data, "\(name) differs") }
        let verify = try PTQProcess.run(["verify", package, "--against", Self.weights])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func rowsAxisAndPerGroupAreConfigErrors() throws {
        let directory = try scratchDirectory("per-channel-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (extra, key) in [("  axis: 0\n", "activations.axis"), ("  granularity: per-group\n", "granularity")] {
            let path = directory.appendingPathComponent("bad.yaml").path
            let text =
                "version: 1\nactivations:\n"
                + (extra.contains("per-group") ? extra : "  granularity: per-channel\n" + extra)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let r = try PTQProcess.run(
                [
                    "calibrate", "--activations", Self.acts, "--config", path, "--output",
                    directory.appendingPathComponent("x.ptq").path,
                ])
            #expect(r.status == 78, "\(extra): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(key), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.ptq").path))
        }
    }
}
