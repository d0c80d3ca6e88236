import Foundation
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// `Tests/Interop/read_package.py` (h5py + numpy, nothing from PTQKit) reproduces every dequantized
/// tensor of a package from the documented layout and formula, equal to `ptq dequantize`'s output.
///
/// Needs a Python 3 with h5py and numpy (`InteropPython`: `$PTQ_PYTHON`, `.build/test-venv`, the system's).
/// Without one the test records a visible skip message, unless `PTQ_REQUIRE_INTEROP=1` (set by
/// `.ci/run`, which installs python3-h5py), in which case it fails.
struct InteropTests {
    static let repository = TestPaths.repository

    /// The first Python that imports h5py and numpy.
    static let python: String? = InteropPython.find(importing: ["h5py", "numpy"])

    /// Whether a missing Python must fail the test (CI).
    static let required = InteropPython.required

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
        let (status, output) = try InteropPython.run(python, [script, package, restored])
        #expect(status == 0, "\(output)")
        #expect(output.contains("0 mismatches"), "\(output)")
        #expect(output.components(separatedBy: "matches ptq dequantize").count - 1 == 9, "\(output)")
    }
}
