import Foundation
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// `Tests/Interop/read_package.py` (h5py + numpy, nothing from PTQKit) reproduces every dequantized
/// tensor of a package from the documented layout and formula, equal to `ptq dequantize`'s output.
///
/// Needs a Python 3 with h5py and numpy: `$PTQ_PYTHON`, `/usr/bin/python3` or `python3` on the PATH.
/// Without one the test records a visible skip message, unless `PTQ_REQUIRE_INTEROP=1` (set by
/// `.ci/run`, which installs python3-h5py), in which case it fails.
struct InteropTests {
    static let repository = TestPaths.repository

    /// The first Python that imports h5py and numpy.
    static let python: String? = {
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        if let chosen = ProcessInfo.processInfo.environment["PTQ_PYTHON"] { candidates.insert(chosen, at: 0) }
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            return (try? run(path, ["-c", "import h5py, numpy"]).status) == 0
        }
    }()

    /// Runs `executable arguments...`, returning its status and combined output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Whether a missing Python must fail the test (CI).
    static let required = ProcessInfo.processInfo.environment["PTQ_REQUIRE_INTEROP"] == "1"

    @Test(
        .enabled(
            if: python != nil || required,
            "SKIPPED: no Python with h5py and numpy (apt-get install python3-h5py python3-numpy, or set PTQ_PYTHON)"))
    func pythonReproducesPtqDequantize() throws {
        let python = try #require(Self.python, "PTQ_REQUIRE_INTEROP=1 but no Python with h5py and numpy was found")
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let package = try fixture.build()
        let restored = "\(fixture.directory)/restored.h5"
        try PackageRestorer.restore(package: package, to: restored, force: false)
        let script = Self.repository.appendingPathComponent("Tests/Interop/read_package.py").path
        let (status, output) = try Self.run(python, [script, package, restored])
        #expect(status == 0, "\(output)")
        #expect(output.contains("0 mismatches"), "\(output)")
        #expect(output.components(separatedBy: "matches ptq dequantize").count - 1 == 9, "\(output)")
    }
}
