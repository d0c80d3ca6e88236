import Foundation
import PTQKit
import Testing

/// `ptq calibrate`, `ptq verify`, `ptq dequantize` and `ptq inspect` on the bundled digits network
/// (Calibration/), run as child processes.
@Suite struct CalibrateTests {
    static let weights = "Calibration/weights.h5"
    static let activations = "Calibration/activations.h5"

    /// A scratch directory under the system temporary directory.
    struct Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-cal-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
        func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
    }

    /// Runs `ptq calibrate` and requires success.
    @discardableResult
    static func calibrate(_ arguments: [String]) throws -> PTQProcess.Result {
        let result = try PTQProcess.run(["calibrate", "--quiet"] + arguments)
        try #require(result.status == 0, "ptq calibrate \(arguments): \(result.stderr)")
        return result
    }

    /// The manifest of a package, validated against the schema.
    static func manifest(_ package: String) throws -> Manifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(package)/manifest.json"))
        #expect(ManifestSchema.violations(ofJSON: data) == [], "\(package)")
        return try Manifest.decode(data, path: package)
    }

    /// `ptq verify` passes (against the weights when given).
    static func verifies(_ package: String, against weights: String? = nil) throws {
        let result = try PTQProcess.run(["verify", package] + (weights.map { ["--against", $0] } ?? []))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// `ptq dequantize` writes s·(q − z) for every tensor, and each element of a quantized weight is
    /// within half a step of the original unless the observer clipped it.
    static func dequantizeRoundTrips(_ package: String, scratch: Scratch) throws {
        let restoredPath = "\(scratch.path)/restored-\(UUID().uuidString).h5"
        let result = try PTQProcess.run(["dequantize", package, "-o", restoredPath])
        try #require(result.status == 0, "\(result.stderr)")
        let reader = try PackageReader(path: package)
        let restored = try File(restoredPath)
        let original = try File(PTQProcess.repository.appendingPathComponent(weights).path)
        for record in reader.manifest.tensors {
            let values = try restored.openDataset(record.dataset).read(as: Float.self)
            #expect(values == (try reader.dequantized(record)), "\(record.dataset)")
            guard record.encoding == .affine, let q = record.quantization, q.bits <= 16 else { continue }
            let x = try original.openDataset(record.dataset).read(as: Float.self)
            let parameters = try reader.parameters(of: record)
            for i in x.indices {
                let k = parameters.layout.parameterIndex(ofElement: i)
                let range = parameters.representableRange(parameter: k)
                guard range.contains(x[i]) else { continue }  // clipped by the observer's range
                #expect(abs(values[i] - x[i]) <= parameters.scales[k] / 2 * (1 + 1e-5), "\(record.dataset)[\(i)]")
            }
        }
    }

    @Test func w8a8PerChannelOnTheBundledNetwork() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/w8a8"
        let result = try Self.calibrate([
            "--weights", Self.weights, "--activations", Self.activations, "--config", "Configs/w8a8-per-channel.yaml",
            "--output", package,
        ])
        #expect(result.stdout.contains("| fc1 |"))
        let manifest = try Self.manifest(package)
        #expect(manifest.layers.map(\.name) == ["fc1", "fc2", "fc3"])
        for layer in manifest.layers {
            let weight = try #require(layer.tensors.first { $0.role == "weight" })
            #expect(weight.quantization?.format == "int8n")
            #expect(weight.quantization?.granularity == "per-channel")
            #expect((weight.metrics?.sqnrDecibels ?? 0) > 30)
            let activation = try #require(layer.activation)
            #expect(activation.bits == 8 && (activation.scale ?? 0) > 0)
        }
        #expect(manifest.inputs.map(\.role) == [.weights, .activations, .config])
        try Self.verifies(package, against: Self.weights)
        try Self.dequantizeRoundTrips(package, scratch: scratch)
    }

    @Test(arguments: [("Configs/int8.yaml", "int8n", nil as Int?), ("Configs/w4-per-group.yaml", "int4", 4)])
    func weightsOnly(config: String, format: String, packedBits: Int?) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/w"
        try Self.calibrate(["--weights", Self.weights, "--config", config, "--output", package])
        let manifest = try Self.manifest(package)
        #expect(manifest.layers.allSatisfy { $0.activation == nil })
        let weights = manifest.tensors.filter { $0.role == "weight" }
        #expect(weights.count == 3)
        #expect(weights.allSatisfy { $0.quantization?.format == format && $0.packedBits == packedBits })
        try Self.verifies(package, against: Self.weights)
        try Self.dequantizeRoundTrips(package, scratch: scratch)
    }

    @Test func activationsOnly() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/a"
        let result = try Self.calibrate(["--activations", Self.activations, "--output", package, "--json"])
        let json = try PTQProcess.json(result.stdout)
        #expect((json["layers"] as? [[String: Any]])?.count == 3)
        let manifest = try Self.manifest(package)
        #expect(manifest.tensors.isEmpty)
        #expect(manifest.layers.allSatisfy { $0.activation != nil })
        #expect(manifest.inputs.map(\.role) == [.activations])
        try Self.verifies(package)
    }

    /// Two shards observed separately, merged, and calibrated with `--stats` give the same tensors and
    /// layer records as one direct run.
    @Test func savedStatisticsGiveTheSamePackage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = "Configs/w8a8-per-channel.yaml"
        for shard in 0..<2 {
            let result = try PTQProcess.run([
                "observe", "--activations", Self.activations, "--config", config, "--shard", "\(shard)/2", "-o",
                "\(scratch.path)/s\(shard).ptqstats",
            ])
            try #require(result.status == 0, "\(result.stderr)")
        }
        let merged = try PTQProcess.run([
            "merge", "\(scratch.path)/s1.ptqstats", "\(scratch.path)/s0.ptqstats", "-o", "\(scratch.path)/all.ptqstats",
        ])
        try #require(merged.status == 0, "\(merged.stderr)")
        try Self.calibrate([
            "--weights", Self.weights, "--stats", "\(scratch.path)/all.ptqstats", "--output",
            "\(scratch.path)/from-stats",
        ])
        try Self.calibrate([
            "--weights", Self.weights, "--activations", Self.activations, "--config", config, "--output",
            "\(scratch.path)/direct",
        ])
        let fromStats = try Self.manifest("\(scratch.path)/from-stats")
        let direct = try Self.manifest("\(scratch.path)/direct")
        #expect(fromStats.layers == direct.layers)
        #expect(fromStats.inputs == direct.inputs)  // the observing config file is recorded from the statistics
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(scratch.path)/from-stats/tensors.h5"))
        let b = try Data(contentsOf: URL(fileURLWithPath: "\(scratch.path)/direct/tensors.h5"))
        #expect(a == b)
        try Self.verifies("\(scratch.path)/from-stats", against: Self.weights)
    }

    @Test func existingOutputNeedsForce() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/p"
        try Self.calibrate(["--weights", Self.weights, "--output", package])
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(package)/manifest.json"))
        let refused = try PTQProcess.run([
            "calibrate", "--quiet", "--weights", Self.weights, "--config", "Configs/w4-per-group.yaml", "--output",
            package,
        ])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("--force"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(package)/manifest.json")) == before)
        try Self.calibrate([
            "--weights", Self.weights, "--config", "Configs/w4-per-group.yaml", "--output", package, "--force",
        ])
        #expect(try Self.manifest(package).tensors.contains { $0.packedBits == 4 })
        #expect(try scratch.entries() == ["p"])
    }

    /// Each failure category has its documented exit code, a message naming the culprit, and no output.
    @Test(arguments: [
        (["--weights", "Calibration/missing.h5"], 66, "Calibration/missing.h5"),
        (["--weights", "Calibration/README.md"], 65, "Calibration/README.md"),
        (["--weights", "Calibration/weights.h5", "--config", "Calibration/README.md"], 78, "Calibration/README.md"),
        ([String](), 64, "--weights"),
    ])
    func failuresHaveTheirExitCodes(arguments: [String], status: Int32, mention: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try PTQProcess.run(["calibrate", "--quiet", "--output", "\(scratch.path)/p"] + arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(mention), "\(result.stderr)")
        #expect(try scratch.entries() == [])
    }

    @Test func verifyAndDequantizeReportDamageAndExistingOutputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/p"
        try Self.calibrate(["--weights", Self.weights, "--output", package])
        let restored = "\(scratch.path)/r.h5"
        #expect(try PTQProcess.run(["dequantize", package, "-o", restored]).status == 0)
        let again = try PTQProcess.run(["dequantize", package, "-o", restored])
        #expect(again.status == 73, "\(again.stderr)")
        do {
            // Damage one code: int8 narrow codes are -127...127.
            let file = try File("\(package)/tensors.h5", mode: .readWrite)
            try file.openDataset("/fc2/weight").write([Int8](repeating: -128, count: 128), startingAt: 5)
        }
        let damaged = try PTQProcess.run(["verify", package, "--json"])
        #expect(damaged.status == 65)
        let json = try PTQProcess.json(damaged.stdout)
        #expect(json["passed"] as? Bool == false)
        #expect(
            (json["problems"] as? [String])?.contains { $0.contains("/fc2/weight: 128 codes outside -127...127") }
                == true)
        #expect(try PTQProcess.run(["verify", "\(scratch.path)/missing"]).status == 66)
        #expect(try PTQProcess.run(["verify", scratch.path]).status == 65)  // a directory without manifest
    }

    @Test func inspectShowsThePackageTable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/p"
        try Self.calibrate(["--weights", Self.weights, "--activations", Self.activations, "--output", package])
        let result = try PTQProcess.run(["inspect", package])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("PTQKit package"))
        #expect(result.stdout.contains("/fc1/weight.scale"))
    }
}
