public import Foundation

/// The Python interpreter that the interop tests run the real consumers and readers with (h5py, numpy,
/// keras + jax, onnxruntime, onnx, gguf, safetensors, ml_dtypes: `Tests/Interop/requirements.txt`).
///
/// `make test` installs them into `.build/test-venv` and passes its interpreter as `$PTQ_PYTHON`; without
/// it the system's `python3` is tried. A test that needs modules the interpreter lacks is skipped with a
/// visible message, unless `PTQ_REQUIRE_INTEROP=1` (set by `.ci/run`), in which case it must fail.
public enum InteropPython {
    /// Whether a missing interpreter or module must fail the test instead of skipping it (CI).
    public static let required = ProcessInfo.processInfo.environment["PTQ_REQUIRE_INTEROP"] == "1"

    /// The candidates in order: `$PTQ_PYTHON`, `.build/test-venv/bin/python`, then the system's.
    static let candidates: [String] = {
        var list = [
            TestPaths.inRepository(".build/test-venv/bin/python").path, "/usr/bin/python3", "/usr/local/bin/python3",
        ]
        if let chosen = ProcessInfo.processInfo.environment["PTQ_PYTHON"] { list.insert(chosen, at: 0) }
        return list
    }()

    /// The environment the consumers run in: this process's, with `KERAS_BACKEND=jax` unless set (Keras 3
    /// defaults to TensorFlow, which the test venv does not have).
    public static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["KERAS_BACKEND"] == nil { environment["KERAS_BACKEND"] = "jax" }
        return environment
    }

    /// The first candidate that imports every module in `modules` (for example `["h5py", "numpy"]`), or nil.
    public static func find(importing modules: [String]) -> String? {
        let statement = "import " + modules.joined(separator: ", ")
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            return (try? run(path, ["-c", statement], environment: environment).status) == 0
        }
    }

    /// Runs `executable arguments...` to completion, returning its exit status and its combined
    /// standard output and error.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        try SpawnedProcess.run(executable, arguments, environment: environment)
    }
}
