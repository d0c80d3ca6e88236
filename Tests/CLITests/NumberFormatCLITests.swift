import Foundation
import PTQKit
import TestSupport
import Testing

/// Every `format:` through the real `ptq`: calibrate the bundled model → verify → dequantize, the restored
/// weights equal the numpy + ml_dtypes goldens (Tests/Fixtures/formats/format_goldens.json) bit for bit,
/// `ptq inspect` shows the format, and `Tests/Interop/read_package.py` (h5py + numpy) reproduces
/// `ptq dequantize` from the documented formulas.
@Suite struct NumberFormatCLITests {
    static let formats = [
        "fixed", "fp8_e4m3fn", "fp8_e5m2", "fp8_e4m3fnuz", "fp8_e5m2fnuz", "fp6_e2m3fn", "fp6_e3m2fn", "fp4_e2m1fn",
        "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4", "nvfp4",
    ]

    struct Goldens: Decodable {
        struct Tensor: Decodable { var sha256: String }
        var formats: [String: [String: Tensor]]
    }

    static let python = InteropPython.find(importing: ["h5py", "numpy"])

    /// A scratch directory with `config.yaml` holding `config`; the caller removes it.
    static func scratch(config: String) throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-fmt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try config.write(toFile: "\(scratch)/config.yaml", atomically: true, encoding: .utf8)
        return scratch
    }

    /// `ptq calibrate` (the bundled model, `scratch/config.yaml`) → `ptq verify --against` → `ptq dequantize`;
    /// returns the package and the restored file.
    static func calibrateVerifyDequantize(_ scratch: String, activations: Bool) throws -> (String, String) {
        let (package, restored) = ("\(scratch)/pkg", "\(scratch)/restored.h5")
        let inputs =
            ["--weights", "Calibration/weights.h5"]
            + (activations ? ["--activations", "Calibration/activations.h5"] : [])
        let calibrate = try PTQProcess.run(
            ["calibrate"] + inputs + ["--config", "\(scratch)/config.yaml", "--output", package, "--quiet"])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        let verify = try PTQProcess.run(["verify", package, "--against", "Calibration/weights.h5"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let dequantize = try PTQProcess.run(["dequantize", package, "-o", restored])
        #expect(dequantize.status == 0, "\(dequantize.stderr)")
        return (package, restored)
    }

    /// `read_package.py PACKAGE RESTORED` agrees with `ptq dequantize` (skipped without h5py, unless required).
    static func expectReadPackageAgrees(_ package: String, _ restored: String) throws {
        guard let python else {
            #expect(!InteropPython.required, "PTQ_REQUIRE_INTEROP=1 but no Python with h5py and numpy")
            return
        }
        let script = TestPaths.inRepository("Tests/Interop/read_package.py").path
        let (status, output) = try InteropPython.run(python, [script, package, restored])
        #expect(status == 0 && output.contains("0 mismatches"), "\(output)")
    }

    @Test("calibrate → verify → dequantize equals the goldens; inspect and read_package.py agree", arguments: formats)
    func formatThroughPtq(format: String) throws {
        let goldens: Goldens = try TestPaths.decodeFixture("formats/format_goldens.json")
        let expected = try #require(goldens.formats[format])
        let scratch = try Self.scratch(config: "weights: {format: \(format)}\nactivations: {format: fp8_e4m3fn}\n")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (package, restored) = try Self.calibrateVerifyDequantize(scratch, activations: true)
        let file = try File(restored)
        for (dataset, golden) in expected {
            let values = try file.openDataset(dataset).read(as: Float.self)
            var hash = PackageFormat.SHA256()
            hash.update(values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
            #expect(hash.finalize().hex == golden.sha256, "\(format) \(dataset)")
        }
        let inspect = try PTQProcess.run(["inspect", package])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains(format), "\(inspect.stdout)")
        // FP8 activations: scale = amax / 448 of the min-max range, zero point 0, codes 0...255.
        for layer in try PackageReader(path: package).manifest.layers {
            let a = try #require(layer.activation)
            #expect(a.format == "fp8_e4m3fn" && a.zeroPoint == 0 && a.qmax == 255)
            #expect(a.scale == max(abs(a.rangeMin), abs(a.rangeMax)) / 448)
        }
        try Self.expectReadPackageAgrees(package, restored)
    }

    @Test("Decimal fixed point (fraction-digits) verifies, dequantizes, and read_package.py reproduces it")
    func decimalFixedPoint() throws {
        let scratch = try Self.scratch(config: "weights: {format: fixed, bits: 12, fraction-digits: 3}\n")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (package, restored) = try Self.calibrateVerifyDequantize(scratch, activations: false)
        // Every restored value is a multiple of 0.001 rounded to Float: Float(round(x · 1000) / 1000).
        let values = try File(restored).openDataset("/fc1/weight").read(as: Float.self)
        #expect(values.allSatisfy { $0 == Float((Double($0) * 1000).rounded() / 1000) })
        try Self.expectReadPackageAgrees(package, restored)
    }

    @Test("A format that contradicts the scheme exits 78 naming the key")
    func contradictionExits78() throws {
        let scratch = try Self.scratch(config: "weights:\n  format: mxfp4\n  granularity: per-tensor\n")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try PTQProcess.run([
            "calibrate", "--weights", "Calibration/weights.h5", "--config", "\(scratch)/config.yaml", "--output",
            "\(scratch)/pkg",
        ])
        #expect(result.status == 78)
        #expect(result.stderr.contains("config.yaml:3:"), "\(result.stderr)")
        #expect(result.stderr.contains("weights.granularity"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch)/pkg"))
    }
}
