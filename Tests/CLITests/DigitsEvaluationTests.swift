import Foundation
import TestSupport
import Testing

/// `evaluate-digits` (what `make demo` prints) computes the figures of `Calibration/evaluate_package.py`
/// exactly: the same held-out accuracies and prediction agreement for packages of the bundled network, from
/// lossless (W8A8) to coarse (3-bit weights, 4-bit activations) where many predictions change.
@Suite struct DigitsEvaluationTests {
    static let coarse = """
        weights: {bits: 3, granularity: per-channel}
        activations: {bits: 4, observer: minmax, scheme: asymmetric}
        """

    @Test(arguments: ["Configs/w8a8-per-channel.yaml", "Configs/w4-per-group.yaml", "w3a4"])
    func swiftEvaluationEqualsPython(config: String) throws {
        let python = InteropPython.find(importing: ["h5py", "numpy"])
        try #require(python != nil || !InteropPython.required, "no python3 with h5py and numpy")
        guard let python else {
            print("DigitsEvaluationTests: skipped, no python3 with h5py and numpy (make test-venv)")
            return
        }
        let ptq = try #require(PTQProcess.executable, "ptq was not built")
        let evaluator = ptq.deletingLastPathComponent().appendingPathComponent("evaluate-digits").path
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-digits-eval")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var configPath = config
        if config == "w3a4" {
            configPath = scratch.appendingPathComponent("w3a4.yaml").path
            try Data(Self.coarse.utf8).write(to: URL(fileURLWithPath: configPath))
        }
        let package = scratch.appendingPathComponent("pkg").path
        let restored = scratch.appendingPathComponent("restored.h5").path
        let calibrate = try PTQProcess.run([
            "calibrate", "--weights", "Calibration/weights.h5", "--activations", "Calibration/activations.h5",
            "--config", configPath, "--output", package, "--quiet",
        ])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(try PTQProcess.run(["dequantize", package, "-o", restored]).status == 0)

        let swift = try PTQProcess.run(program: evaluator, [package, "--json"])
        #expect(swift.status == 0, "\(swift.stderr)")
        let script = TestPaths.inRepository("Calibration/evaluate_package.py").path
        let reference = try InteropPython.run(python, [script, package, restored, "--json"])
        #expect(reference.status == 0, "\(reference.output)")
        let mine = try PTQProcess.json(swift.stdout)
        let theirs = try PTQProcess.json(reference.output)
        #expect(Set(mine.keys) == Set(theirs.keys))
        for key in ["heldout_samples", "float_accuracy", "package_accuracy", "prediction_agreement"] {
            #expect(
                mine[key] as? Double == theirs[key] as? Double, "\(key): \(mine[key] ?? "-") vs \(theirs[key] ?? "-")")
        }
        for key in ["quantized_weights", "quantized_activations"] {
            #expect(mine[key] as? [String] == theirs[key] as? [String], "\(key)")
        }
        if config == "w3a4" {
            // Coarse enough that the comparison covers changed predictions, not only identical ones.
            #expect((mine["prediction_agreement"] as? Double ?? 1) < 1, "\(mine)")
        }
    }

    @Test func missingPackageIsExit66() throws {
        let ptq = try #require(PTQProcess.executable, "ptq was not built")
        let evaluator = ptq.deletingLastPathComponent().appendingPathComponent("evaluate-digits").path
        let result = try PTQProcess.run(program: evaluator, ["no/such/pkg"])
        #expect(result.status == 66)
        #expect(result.stderr == "evaluate-digits: no/such/pkg: no such file or directory\n")
    }
}
