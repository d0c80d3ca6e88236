import Foundation
import TestSupport
import Testing

/// `ptq evaluate` (issue 15, item 7): each layer's output SQNR equals a float64 numpy computation of the
/// same formula (`Calibration/evaluate_sqnr.py`) on packages of the bundled digits network and of the
/// transformer-block test set (`Calibration/make_transformer_block.py`), weights only and with the
/// activation fake-quant; the layers come worst first; bad input exits as the other commands do.
@Suite struct EvaluateTests {
    /// A per-channel W8A8 config with per-channel activations (the per-channel fake-quant path).
    static let perChannelActivations = """
        version: 1
        weights: {bits: 8, granularity: per-channel}
        activations: {bits: 8, granularity: per-channel, scheme: asymmetric}
        """

    /// The Python with numpy and h5py, or `nil` (the test then skips visibly unless PTQ_REQUIRE_INTEROP=1).
    static func python() throws -> String? {
        let python = InteropPython.find(importing: ["h5py", "numpy"])
        try #require(python != nil || !InteropPython.required, "no python3 with h5py and numpy")
        if python == nil { print("EvaluateTests: skipped, no python3 with h5py and numpy (make test-venv)") }
        return python
    }

    /// Calibrates `weights` with `activations` and `config` into `scratch/name`, dequantizes it, runs
    /// `ptq evaluate` (JSON) and the numpy reference on `heldout`, and compares them layer by layer.
    /// - Returns: the evaluation's JSON document.
    @discardableResult
    static func compare(
        python: String, scratch: URL, name: String, weights: String, activations: String, heldout: String,
        config: String
    ) throws -> [String: Any] {
        let package = scratch.appendingPathComponent(name).path
        let restored = scratch.appendingPathComponent("\(name).h5").path
        let calibrate = try PTQProcess.run([
            "calibrate", "--weights", weights, "--activations", activations, "--config", config, "--output", package,
            "--quiet",
        ])
        try #require(calibrate.status == 0, "\(calibrate.stderr)")
        try #require(try PTQProcess.run(["dequantize", package, "-o", restored]).status == 0)
        let evaluate = try PTQProcess.run(["evaluate", package, "--activations", heldout, "--json"])
        try #require(evaluate.status == 0, "\(evaluate.stderr)")
        let document = try PTQProcess.json(evaluate.stdout)
        let script = TestPaths.inRepository("Calibration/evaluate_sqnr.py").path
        let reference = try InteropPython.run(python, [script, package, restored, heldout])
        try #require(reference.status == 0, "\(reference.output)")
        let expected = try PTQProcess.json(reference.output)
        #expect(document["format"] as? String == "ptqkit-evaluation" && document["version"] as? Int == 1)
        let layers = try #require(document["layers"] as? [[String: Any]])
        let measured = layers.filter { $0["skipped"] is NSNull }
        #expect(Set(measured.compactMap { $0["layer"] as? String }) == Set(expected.keys), "\(name)")
        for layer in measured {
            let key = try #require(layer["layer"] as? String)
            let theirs = try #require(expected[key] as? [String: Any], "\(name): \(key) not in the reference")
            #expect(layer["dataset"] as? String == theirs["dataset"] as? String, "\(name) \(key)")
            #expect(layer["rows"] as? Int == theirs["rows"] as? Int, "\(name) \(key)")
            for figure in ["weights_only_sqnr_db", "with_activations_sqnr_db"] {
                let (mine, ref) = (layer[figure] as? Double, theirs[figure] as? Double)
                #expect((mine == nil) == (ref == nil), "\(name) \(key) \(figure): \(mine ?? .nan) vs \(ref ?? .nan)")
                if let mine, let ref { #expect(abs(mine - ref) < 0.01, "\(name) \(key) \(figure): \(mine) vs \(ref)") }
            }
        }
        // Worst first: the deployed figure (with activations where quantized) never decreases down the list.
        let deployed = measured.map {
            ($0["with_activations_sqnr_db"] as? Double) ?? ($0["weights_only_sqnr_db"] as? Double) ?? .infinity
        }
        #expect(deployed == deployed.sorted(), "\(name): \(deployed)")
        return document
    }

    @Test(arguments: [
        "Configs/int8.yaml", "Configs/w4-per-group.yaml", "Configs/w8a8-per-channel.yaml", "per-channel", "fp8",
        "Configs/w4-g128-awq.yaml", "Configs/w8a8-smoothquant.yaml",
    ])
    func digitsNetworkEqualsNumpy(config: String) throws {
        guard var python = try Self.python() else { return }
        if config == "fp8" {
            // The reference rounds to the minifloat grid with ml_dtypes (in the test venv).
            let found = InteropPython.find(importing: ["h5py", "numpy", "ml_dtypes"])
            try #require(found != nil || !InteropPython.required, "no python3 with ml_dtypes")
            guard let found else {
                print("EvaluateTests: fp8 activations skipped, no python3 with ml_dtypes (make test-venv)")
                return
            }
            python = found
        }
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-evaluate-digits")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let heldout = scratch.appendingPathComponent("heldout-activations.h5").path
        let made = try InteropPython.run(
            python, [TestPaths.inRepository("Calibration/make_heldout_activations.py").path, heldout])
        try #require(made.status == 0, "\(made.output)")
        var configPath = config
        if config == "per-channel" || config == "fp8" {
            configPath = scratch.appendingPathComponent("\(config).yaml").path
            let text = config == "fp8" ? "version: 1\nactivations: {format: fp8_e4m3fn}\n" : Self.perChannelActivations
            try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        }
        let document = try Self.compare(
            python: python, scratch: scratch, name: "pkg", weights: "Calibration/weights.h5",
            activations: "Calibration/activations.h5", heldout: heldout, config: configPath)
        let layers = try #require(document["layers"] as? [[String: Any]])
        #expect(layers.count == 3 && layers.allSatisfy { $0["rows"] as? Int == 497 }, "\(layers)")
        // The shipped configs all quantize activations when activation files are given.
        #expect(layers.allSatisfy { $0["with_activations_sqnr_db"] is Double }, "\(layers)")
    }

    @Test func transformerBlockEqualsNumpy() throws {
        guard let python = try Self.python() else { return }
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-evaluate-block")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let made = try InteropPython.run(
            python,
            [
                TestPaths.inRepository("Calibration/make_transformer_block.py").path, scratch.path, "--dim", "48",
                "--rows", "256",
            ])
        try #require(made.status == 0, "\(made.output)")
        let file = { (name: String) in scratch.appendingPathComponent(name).path }
        for config in ["Configs/int8.yaml", "Configs/w4-per-group.yaml"] {
            let document = try Self.compare(
                python: python, scratch: scratch,
                name: URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent,
                weights: file("weights.h5"), activations: file("calibration.h5"), heldout: file("heldout.h5"),
                config: config)
            let layers = try #require(document["layers"] as? [[String: Any]])
            let measured = layers.filter { $0["skipped"] is NSNull }.compactMap { $0["layer"] as? String }
            #expect(
                Set(measured) == ["attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.out_proj", "mlp.fc1", "mlp.fc2"])
            // The LayerNorms are listed, not measured.
            let skipped = layers.filter { $0["skipped"] is String }.compactMap { $0["layer"] as? String }
            #expect(skipped.sorted() == ["ln1", "ln2"], "\(layers)")
        }
    }

    /// A Keras 3 weights file (Dense kernels `[in, out]`, convolutions): weights only, so the W+A figure is
    /// null; the kernels are transposed as the recorded layout says; the convolutions are listed as skipped.
    @Test func kerasDenseKernelsWeightsOnly() throws {
        guard let python = try Self.python() else { return }
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-evaluate-keras")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let weights = TestPaths.fixture("layouts/digits_cnn.weights.h5").path
        let package = scratch.appendingPathComponent("pkg").path
        let restored = scratch.appendingPathComponent("pkg.h5").path
        let heldout = scratch.appendingPathComponent("heldout.h5").path
        let script = """
            import h5py, numpy as np, sys
            rng = np.random.default_rng(3)
            with h5py.File(sys.argv[1], "w") as f:
                f["fc1"] = rng.standard_normal((40, 4)).astype(np.float32)
                f["fc2"] = np.maximum(rng.standard_normal((40, 16)), 0).astype(np.float32)
            """
        let made = try InteropPython.run(python, ["-c", script, heldout])
        try #require(made.status == 0, "\(made.output)")
        let calibrate = try PTQProcess.run(["calibrate", "--weights", weights, "--output", package, "--quiet"])
        try #require(calibrate.status == 0, "\(calibrate.stderr)")
        try #require(try PTQProcess.run(["dequantize", package, "-o", restored]).status == 0)
        let evaluate = try PTQProcess.run(["evaluate", package, "--activations", heldout, "--json"])
        try #require(evaluate.status == 0, "\(evaluate.stderr)")
        let document = try PTQProcess.json(evaluate.stdout)
        #expect(document["layout"] as? String == "keras")
        let reference = try InteropPython.run(
            python, [TestPaths.inRepository("Calibration/evaluate_sqnr.py").path, package, restored, heldout])
        try #require(reference.status == 0, "\(reference.output)")
        let expected = try PTQProcess.json(reference.output)
        let layers = try #require(document["layers"] as? [[String: Any]])
        let measured = layers.filter { $0["skipped"] is NSNull }
        #expect(Set(measured.compactMap { $0["layer"] as? String }) == ["fc1", "fc2"], "\(layers)")
        for layer in measured {
            let key = try #require(layer["layer"] as? String)
            let theirs = try #require(expected[key] as? [String: Any])
            let (mine, ref) = (layer["weights_only_sqnr_db"] as? Double, theirs["weights_only_sqnr_db"] as? Double)
            #expect(mine != nil && ref != nil && abs((mine ?? 0) - (ref ?? 1)) < 0.01, "\(key): \(layer) \(theirs)")
            #expect(layer["with_activations_sqnr_db"] is NSNull && layer["activation_format"] is NSNull)
        }
        let skipped = layers.compactMap { $0["skipped"] as? String }
        #expect(skipped.contains { $0.hasPrefix("not a linear layer") }, "\(layers)")
    }

    @Test func badInputExitsAsTheOtherCommands() throws {
        guard let python = try Self.python() else { return }
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-evaluate-bad")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let package = scratch.appendingPathComponent("pkg").path
        let calibrate = try PTQProcess.run([
            "calibrate", "--weights", "Calibration/weights.h5", "--activations", "Calibration/activations.h5",
            "--output", package, "--quiet",
        ])
        try #require(calibrate.status == 0, "\(calibrate.stderr)")
        let file = { (name: String) in scratch.appendingPathComponent(name).path }
        // A held-out file whose fc2 input has the wrong width, and one with no layer's input.
        let script = """
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], "w") as f:
                f["fc1"] = np.ones((8, 64), np.float32); f["fc2"] = np.ones((8, 100), np.float32)
            with h5py.File(sys.argv[2], "w") as f:
                f["other"] = np.ones((8, 64), np.float32)
            """
        let made = try InteropPython.run(python, ["-c", script, file("wide.h5"), file("none.h5")])
        try #require(made.status == 0, "\(made.output)")

        // Missing inputs: exit 66 in the wording of every command.
        for (arguments, missing) in [
            (["evaluate", file("nope"), "--activations", file("wide.h5")], file("nope")),
            (["evaluate", package, "--activations", file("absent.h5")], file("absent.h5")),
            (["evaluate", package, "--activations", file("wide.h5"), "--weights", file("w.h5")], file("w.h5")),
        ] {
            let result = try PTQProcess.run(arguments)
            #expect(result.status == 66, "\(result.stderr)")
            #expect(
                result.stderr.hasSuffix("ptq evaluate: \(missing): no such file or directory\n"), "\(result.stderr)")
        }
        // A damaged held-out file is 65 naming it; a missing output directory is 73 naming it, before any work.
        let truncated = file("truncated.h5")
        try Data(try Data(contentsOf: TestPaths.inRepository("Calibration/activations.h5")).prefix(4096))
            .write(to: URL(fileURLWithPath: truncated))
        let damaged = try PTQProcess.run(["evaluate", package, "--activations", truncated])
        #expect(damaged.status == 65 && damaged.stderr.contains("truncated.h5"), "\(damaged.stderr)")
        let noDirectory = try PTQProcess.run([
            "evaluate", package, "--activations", file("wide.h5"), "-o", file("absent/report.json"),
        ])
        #expect(noDirectory.status == 73 && noDirectory.stderr.contains("absent"), "\(noDirectory.stderr)")
        let none = try PTQProcess.run(["evaluate", package, "--activations", file("none.h5")])
        #expect(none.status == 66 && none.stderr.contains("none.h5"), "\(none.stderr)")
        let usage = try PTQProcess.run(["evaluate", package])
        #expect(usage.status == 64, "\(usage.stderr)")

        // 65 naming the file and the dataset; nothing is left at -o.
        let output = file("report.json")
        let wide = try PTQProcess.run(["evaluate", package, "--activations", file("wide.h5"), "--json", "-o", output])
        #expect(wide.status == 65 && wide.stderr.contains("wide.h5") && wide.stderr.contains("/fc2"), "\(wide.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter {
            $0.contains("report")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // -o writes atomically; an existing output is kept without --force, replaced with it.
        let heldout = file("heldout.h5")
        let made2 = try InteropPython.run(
            python, [TestPaths.inRepository("Calibration/make_heldout_activations.py").path, heldout])
        try #require(made2.status == 0, "\(made2.output)")
        let written = try PTQProcess.run(["evaluate", package, "--activations", heldout, "--json", "-o", output])
        #expect(written.status == 0, "\(written.stderr)")
        let document = try PTQProcess.json(
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)), as: UTF8.self))
        #expect(document["format"] as? String == "ptqkit-evaluation")
        let again = try PTQProcess.run(["evaluate", package, "--activations", heldout, "-o", output])
        #expect(again.status == 73, "\(again.stderr)")
        let forced = try PTQProcess.run(["evaluate", package, "--activations", heldout, "-o", output, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let table = String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)), as: UTF8.self)
        #expect(table.contains("W+A dB") && table.contains("fc1"), "\(table)")
        // --force never replaces a file ptq evaluate did not write (here: an input).
        let foreign = try PTQProcess.run(["evaluate", package, "--activations", heldout, "-o", heldout, "--force"])
        #expect(foreign.status == 73, "\(foreign.stderr)")
    }
}
