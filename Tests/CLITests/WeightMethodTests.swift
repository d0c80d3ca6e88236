import Foundation
import PTQKit
import TestSupport
import Testing

/// `weights: method: gptq | importance-clip | awq` through `ptq calibrate` on the bundled digits network: the manifest
/// records the method, the package verifies and dequantizes to its codes, packages are byte-identical across
/// threads, batch sizes and shard splits, and a layer the method cannot handle is refused naming it.
@Suite("weights: method")
struct WeightMethodTests {
    static let weights = "Calibration/weights.h5"
    static let activations = "Calibration/activations.h5"

    static func calibrate(_ config: String, _ output: String, _ extra: [String] = []) throws -> PTQProcess.Result {
        try PTQProcess.run(
            [
                "calibrate", "--weights", weights, "--activations", activations, "--config", config, "--output", output,
                "--quiet",
            ] + extra)
    }

    @Test(arguments: [
        "Configs/w4-g128-gptq.yaml", "Configs/w4-g128-importance-clip.yaml", "Configs/w4-g128-awq.yaml",
        "Configs/w8a8-smoothquant.yaml",
    ])
    func packagesAreByteIdenticalAcrossThreadsAndBatchSizes(config: String) throws {
        let directory = try scratchDirectory("weight-method")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("reference.ptq").path
        let first = try Self.calibrate(config, reference, ["--threads", "1"])
        try #require(first.status == 0, "\(first.stderr)")
        for (threads, rows) in [(2, 7), (8, 64), (1, 300)] {
            let other = directory.appendingPathComponent("t\(threads)-r\(rows).ptq").path
            let run = try Self.calibrate(config, other, ["--threads", "\(threads)", "--batch-rows", "\(rows)"])
            try #require(run.status == 0, "\(run.stderr)")
            #expect(try packageFiles(other) == packageFiles(reference), "--threads \(threads) --batch-rows \(rows)")
        }
        let split = directory.appendingPathComponent("split.ptq").path
        let shards = try writeSplitActivations(3, into: directory)
        let sharded = try PTQProcess.run(
            ["calibrate", "--weights", Self.weights, "--activations"] + shards
                + ["--config", config, "--output", split, "--quiet", "--threads", "2"])
        try #require(sharded.status == 0, "\(sharded.stderr)")
        // the inputs differ (three files instead of one): the stored weights and every layer record do not
        let splitFiles = try packageFiles(split)
        let referenceFiles = try packageFiles(reference)
        // (the input moments' float64 Σx² may differ in the last bits between file splits, a matter of the
        // moments collector: compare the stored weights, which are what the methods produce)
        let splitReader = try PackageReader(path: split)
        let referenceReader = try PackageReader(path: reference)
        for record in referenceReader.manifest.tensors {
            let other = try #require(splitReader.manifest.tensors.first { $0.dataset == record.dataset })
            #expect(try splitReader.dequantized(other) == referenceReader.dequantized(record), "\(record.dataset)")
        }
        func layers(_ files: [String: Data]) throws -> String {
            let manifest = try JSONSerialization.jsonObject(with: files["manifest.json"] ?? Data()) as? [String: Any]
            let data = try JSONSerialization.data(withJSONObject: manifest?["layers"] ?? [], options: .sortedKeys)
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try layers(splitFiles) == layers(referenceFiles), "3 shards: layer records")

        let verify = try PTQProcess.run(["verify", reference, "--against", Self.weights])
        #expect(verify.status == 0, "\(verify.stderr)")
        let manifest = try PTQProcess.json(
            String(decoding: try packageFiles(reference)["manifest.json"] ?? Data(), as: UTF8.self))
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        let name =
            config.contains("gptq")
            ? "gptq"
            : config.contains("awq") ? "awq" : config.contains("smoothquant") ? "smoothquant" : "importance-clip"
        for layer in layers {
            let tensors = try #require(layer["tensors"] as? [[String: Any]])
            let weight = try #require(tensors.first { ($0["role"] as? String) == "weight" })
            let quantization = try #require(weight["quantization"] as? [String: Any])
            let method = try #require(quantization["method"] as? [String: Any], "\(layer["name"] ?? "")")
            #expect(method["name"] as? String == name)
            if name == "gptq" {
                #expect(method["damping"] as? Double == 0.01)
                #expect(method["block_size"] as? Int == 128)
                #expect(method["act_order"] as? Bool == true)
            }
            if name == "awq" || name == "smoothquant" {
                #expect(method["alpha_grid"] as? Int == (name == "awq" ? 20 : nil) && method["alpha"] is Double)
                #expect(method["input_scale_dataset"] as? String == "/\(layer["name"] ?? "")/weight.input_scale")
            }
            // the layer collected the moments the method needs
            let activation = try #require(layer["activation"] as? [String: Any])
            #expect(activation["input_moments"] != nil)
        }
        // people see the method too: summary.md's weight cell and `ptq inspect`'s table name it with its settings
        let expected =
            switch name {
            case "gptq": ", gptq (damping 0.01, blocks of 128, act-order)"
            case "awq": ", awq (α "
            case "smoothquant": ", smoothquant (α 0.5, s beside the weight)"
            default: ", importance-clip"
            }
        let summary = String(decoding: try packageFiles(reference)["summary.md"] ?? Data(), as: UTF8.self)
        let rows = summary.split(separator: "\n").filter { $0.hasPrefix("| fc") }
        #expect(rows.count == layers.count && rows.allSatisfy { $0.contains(expected) }, "\(summary)")
        if name == "awq" { #expect(rows.allSatisfy { $0.contains(" of 20, s beside the weight)") }, "\(summary)") }
        let inspect = try PTQProcess.run(["inspect", reference])
        #expect(inspect.status == 0 && inspect.stdout.contains(expected), "\(inspect.stdout)")
        let page = directory.appendingPathComponent("report.html").path
        let report = try PTQProcess.run(["report", reference, "-o", page])
        try #require(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let fact = "<dt>Rounding</dt><dd>\(expected.dropFirst(2))"
        #expect(html.components(separatedBy: fact).count - 1 == layers.count, "report: \(fact)")
    }

    @Test func gptqBeatsRoundToNearestOnTheCalibrationOutputs() throws {
        // GPTQ minimises the layer's output error on the calibration inputs: with the same grid (int4, groups of
        // 128), its output error Σ‖(Ŵ − W)x‖² over the calibration rows is below round-to-nearest's for every layer.
        let directory = try scratchDirectory("weight-method-gain")
        defer { try? FileManager.default.removeItem(at: directory) }
        let rtnConfig = directory.appendingPathComponent("rtn.yaml").path
        let text = try String(contentsOfFile: "Configs/w4-g128-gptq.yaml", encoding: .utf8)
        try Data(text.replacingOccurrences(of: "method: gptq", with: "method: rtn").utf8).write(
            to: URL(fileURLWithPath: rtnConfig))
        var errors: [String: [Double]] = [:]
        for (name, config) in [("rtn", rtnConfig), ("gptq", "Configs/w4-g128-gptq.yaml")] {
            let package = directory.appendingPathComponent("\(name).ptq").path
            let run = try Self.calibrate(config, package)
            try #require(run.status == 0, "\(run.stderr)")
            let reader = try PackageReader(path: package)
            let acts = try File(Self.activations)
            let floats = try File(Self.weights)
            for layer in ["fc1", "fc2", "fc3"] {
                let record = try #require(reader.manifest.tensors.first { $0.dataset == "/\(layer)/weight" })
                let restored = try reader.dequantized(record)
                let w = try floats.openDataset("/\(layer)/weight").read(as: Float.self)
                let xs = try acts.openDataset("/\(layer)")
                let x = try xs.read(as: Float.self)
                let (rows, d) = (xs.shape[0], xs.shape[1])
                let outputs = w.count / d
                var total = 0.0
                for n in 0..<rows {
                    for o in 0..<outputs {
                        var e = 0.0
                        for i in 0..<d { e += Double(restored[o * d + i] - w[o * d + i]) * Double(x[n * d + i]) }
                        total += e * e
                    }
                }
                errors[layer, default: []].append(total)
            }
        }
        for (layer, pair) in errors { #expect(pair[1] < pair[0], "\(layer): GPTQ \(pair[1]), RTN \(pair[0])") }
    }

    @Test func aLayerWithoutActivationsIsRefusedNamingIt() throws {
        let directory = try scratchDirectory("weight-method-refusal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("pkg").path
        let run = try PTQProcess.run(
            ["calibrate", "--weights", Self.weights, "--config", "Configs/w4-g128-gptq.yaml", "--output", output])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("fc1") && run.stderr.contains("method gptq"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func methodKeysInAnActivationsSectionAreAConfigError() throws {
        let directory = try scratchDirectory("weight-method-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("bad.yaml").path
        try Data("version: 1\nactivations:\n  method: gptq\n".utf8).write(to: URL(fileURLWithPath: config))
        let run = try Self.calibrate(config, directory.appendingPathComponent("pkg").path)
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("method"), "\(run.stderr)")
    }

    @Test func verifyChecksTheMethodRecord() throws {
        let directory = try scratchDirectory("weight-method-verify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = directory.appendingPathComponent("pkg").path
        let run = try Self.calibrate("Configs/w4-g128-gptq.yaml", package)
        try #require(run.status == 0, "\(run.stderr)")
        let manifestPath = package + "/manifest.json"
        let original = try String(contentsOfFile: manifestPath, encoding: .utf8)
        for (edit, message) in [
            ("\"act_order\" : true", "gptq records damping, block_size and act_order"),
            ("\"name\" : \"gptq\"", "importance-clip has no damping"),
        ] {
            let replacement = edit.hasPrefix("\"name") ? "\"name\" : \"importance-clip\"" : "\"act_order_x\" : true"
            let damaged = original.replacingOccurrences(of: edit, with: replacement)
            try #require(damaged != original, "the manifest has no \(edit)")
            try Data(damaged.utf8).write(to: URL(fileURLWithPath: manifestPath))
            let verify = try PTQProcess.run(["verify", package])
            #expect(verify.status != 0, "\(edit)")
            if edit.hasPrefix("\"name") {
                #expect(verify.stdout.contains(message) || verify.stderr.contains(message), "\(verify.stdout)")
            }
        }
        try Data(original.utf8).write(to: URL(fileURLWithPath: manifestPath))
        #expect(try PTQProcess.run(["verify", package]).status == 0)
    }
}
