import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Keras itself loads what `ptq dequantize` writes (issue 14, items 4 and 6): `Tests/Interop/keras_roundtrip.py`
/// builds and trains a small model with Keras 3 on the jax backend (Conv2D, BatchNormalization,
/// DepthwiseConv2D, Dense; seed 0) and saves `m.weights.h5` (native) and `m.h5` (legacy `model.save`);
/// the real `ptq calibrate` (default configuration) and `ptq dequantize` make restored copies; then the
/// same Python process loads them with `model.load_weights` (both formats) and `keras.saving.load_model`
/// (legacy) and reports the top-1 agreement with the float model on 256 fixed inputs, which must be at
/// least 0.99 for every load. `Tests/Interop/restore_fidelity.py` also checks the restored files against
/// the originals (attributes, groups, byte-identical unquantized datasets).
///
/// Until PTQKit detects the native layout itself, the default configuration finds no layer in
/// `m.weights.h5` (exit 66); the test then calibrates it with `Tests/Interop/keras_native.yaml`.
///
/// Needs the interop venv's Python with keras, jax and h5py (``InteropPython``; `make test-venv`); skipped
/// visibly without it unless `PTQ_REQUIRE_INTEROP=1`.
@Suite struct KerasRoundTripTests {
    /// The interpreter; Keras 3 picks its backend on import, so `KERAS_BACKEND=jax` is set first.
    static let python: String? = {
        setenv("KERAS_BACKEND", "jax", 0)
        return InteropPython.find(importing: ["keras", "jax", "h5py"])
    }()
    static let script = PTQProcess.repository.appendingPathComponent("Tests/Interop/keras_roundtrip.py").path
    static let fidelity = PTQProcess.repository.appendingPathComponent("Tests/Interop/restore_fidelity.py").path
    static let nativeConfig = PTQProcess.repository.appendingPathComponent("Tests/Interop/keras_native.yaml").path
    /// The least share of inputs whose top-1 class must equal the float model's (issue 14).
    static let minimumAgreement = 0.99

    /// A running `keras_roundtrip.py session DIR`: it makes the model files, says `ready`, then waits for
    /// the restored files' names on its standard input.
    final class Session {
        let process: SpawnedProcess
        var text = ""

        init(python: String, directory: String) throws {
            var environment = ProcessInfo.processInfo.environment
            environment["KERAS_BACKEND"] = "jax"
            environment["JAX_PLATFORMS"] = "cpu"
            process = try SpawnedProcess(
                python, [KerasRoundTripTests.script, "session", directory], environment: environment, withInput: true)
        }

        /// Reads until `ready` (true) or the end of the output (false: the script failed).
        func waitUntilReady() -> Bool {
            while true {
                guard let chunk = process.readAvailable() else { return false }
                text += chunk
                if text.split(separator: "\n").contains("ready") { return true }
            }
        }

        /// Sends the restored files' names and waits for the checks: the exit status and the whole output.
        func check(native: String, legacy: String) -> (Int32, String) {
            process.write("\(native) \(legacy)\n")
            process.closeInput()
            text += process.readToEnd()
            return (process.wait(), text)
        }
    }

    @Test(.enabled(if: python != nil || InteropPython.required, "SKIPPED: no Python with keras, jax and h5py"))
    func kerasLoadsRestoredFilesAndAgreesWithTheFloatModel() throws {
        let python = try #require(Self.python, "PTQ_REQUIRE_INTEROP=1 but no Python with keras, jax and h5py")
        let started = Date()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-keras-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = try Session(python: python, directory: directory)
        try #require(session.waitUntilReady(), "\(session.text)")

        let native = "\(directory)/m.weights.h5"
        let legacy = "\(directory)/m.h5"
        var calibrated = try PTQProcess.run([
            "calibrate", "--quiet", "--weights", legacy, "--output", "\(directory)/pl",
        ])
        try #require(calibrated.status == 0, "\(calibrated.stderr)")
        calibrated = try PTQProcess.run(["calibrate", "--quiet", "--weights", native, "--output", "\(directory)/pn"])
        if calibrated.status == 66, calibrated.stderr.contains("maps to a layer") {
            calibrated = try PTQProcess.run([
                "calibrate", "--quiet", "--weights", native, "--config", Self.nativeConfig, "--output",
                "\(directory)/pn",
            ])
        }
        try #require(calibrated.status == 0, "\(calibrated.stderr)")
        let restoredNative = "\(directory)/restored.weights.h5"
        let restoredLegacy = "\(directory)/restored.h5"
        for (package, restored) in [("pn", restoredNative), ("pl", restoredLegacy)] {
            let verified = try PTQProcess.run(["verify", "\(directory)/\(package)"])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            let result = try PTQProcess.run(["dequantize", "\(directory)/\(package)", "-o", restored])
            try #require(result.status == 0, "\(result.stderr)")
        }

        let (status, output) = session.check(native: restoredNative, legacy: restoredLegacy)
        #expect(status == 0, "\(output)")
        for how in ["load_weights(native)", "load_weights(legacy)", "load_model(legacy)"] {
            let line = output.split(separator: "\n").first { $0.hasPrefix("\(how): agreement ") }
            let agreement = line.flatMap { Double($0.split(separator: " ")[2]) }
            #expect((agreement ?? 0) >= Self.minimumAgreement, "\(how): \(line.map(String.init) ?? output)")
        }
        for (original, restored, package) in [(native, restoredNative, "pn"), (legacy, restoredLegacy, "pl")] {
            let (status, output) = try InteropPython.run(
                python, [Self.fidelity, "compare", original, restored, "\(directory)/\(package)"])
            #expect(status == 0 && output.contains(", 0 problems"), "\(original): \(output)")
        }
        print("KerasRoundTripTests: \(Int(Date().timeIntervalSince(started))) s")
    }
}
