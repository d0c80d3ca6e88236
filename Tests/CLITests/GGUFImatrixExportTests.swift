import Foundation
import PTQKit
import TestSupport
import Testing

/// `ptq export --format gguf-imatrix`: a package calibrated with `activations: moments:` as llama.cpp's
/// importance matrix, read back with gguf-py's `GGUFReader` (`Tests/Interop/check_export.py gguf-imatrix`).
@Suite struct GGUFImatrixExportTests {
    static let python = InteropPython.find(importing: ["gguf", "h5py", "numpy"])

    /// In CI (gguf pinned in the test venv): every `in_sum2` / `in_sum` equals numpy's float64 Σx² / Σx of
    /// the bundled activations as float32, `counts` the rows, the metadata as llama.cpp writes it; the
    /// `--names` map renames the entries.
    @Test(.enabled(if: python != nil || InteropPython.required, "SKIPPED: no Python with gguf, h5py, numpy"))
    func readsBackWithNumpysSums() throws {
        let python = try #require(Self.python, "PTQ_REQUIRE_INTEROP=1 but no Python with gguf was found")
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try ExportTests.package("w8a8-moments", in: scratch)
        let verify = try PTQProcess.run(["verify", package])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let script = ExportTests.script
        for names in [nil, "\(scratch.path)/names.yaml"] {
            if let names {
                try "fc1: blk.0.ffn_up.weight\nfc3: blk.0.ffn_down.weight\n".write(
                    toFile: names, atomically: true, encoding: .utf8)
            }
            let output = "\(scratch.path)/imatrix-\(names == nil ? "plain" : "named").gguf"
            let result = try ExportTests.export(
                [package, "--format", "gguf-imatrix", "-o", output] + (names.map { ["--names", $0] } ?? []))
            #expect(result.stderr.contains("wrote 3 importance vectors"), "\(result.stderr)")
            let (status, text) = try InteropPython.run(
                python,
                [script, "gguf-imatrix", package, output, "--activations", CalibrateTests.activations]
                    + (names.map { ["--names", $0] } ?? []))
            #expect(status == 0, "\(text)")
            #expect(text.contains(names == nil ? "fc2.weight.in_sum2" : "blk.0.ffn_up.weight.in_sum2"), "\(text)")
        }
    }

    /// A package without input moments is refused with 65 and the setting that collects them; nothing is written.
    @Test func aPackageWithoutMomentsIsRefused() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try ExportTests.package("w8a8-onnxruntime", in: scratch)
        let output = "\(scratch.path)/imatrix.gguf"
        let result = try PTQProcess.run(["export", package, "--format", "gguf-imatrix", "-o", output])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("moments: per-feature"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// `ptq verify` checks the stored moments: a negative Σx², a dataset of the wrong length, and the
    /// record pointing elsewhere are each reported (the package is rewritten without its digest of
    /// tensors.h5 so the content checks, not the hash, catch them).
    @Test func verifyChecksTheStoredMoments() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let clean = try ExportTests.package("w8a8-moments", in: scratch)
        let damages: [(String, String, (String) throws -> Void)] = [
            (
                "negative", "have non-finite sums, a negative Σx²",
                { package in
                    let file = try File("\(package)/tensors.h5", mode: .readWrite)
                    let dataset = try file.openDataset("/input_moments/fc2/sum_of_squares")
                    var values = try dataset.read(as: Double.self)
                    values[5] = -1
                    try dataset.write(values)
                }
            ),
            (
                "features", "manifest says [65]",
                { package in
                    try Self.editManifest(package) { $0.layers[0].activation?.inputMoments?.features = 65 }
                }
            ),
            (
                "path", "not listed in the manifest",
                { package in
                    try Self.editManifest(package) {
                        $0.layers[0].activation?.inputMoments?.sumDataset = "/input_moments/fc2/sum"
                    }
                }
            ),
        ]
        for (name, problem, damage) in damages {
            let package = "\(scratch.path)/\(name).pkg"
            try FileManager.default.copyItem(atPath: clean, toPath: package)
            try Self.editManifest(package) { $0.tensorsDigest = nil }
            try damage(package)
            let result = try PTQProcess.run(["verify", package])
            #expect(result.status != 0, "\(name)")
            #expect((result.stdout + result.stderr).contains(problem), "\(name): \(result.stdout)\(result.stderr)")
        }
    }

    static func editManifest(_ package: String, _ body: (inout Manifest) -> Void) throws {
        var manifest = try PackageReader(path: package).manifest
        body(&manifest)
        try manifest.encoded().write(to: URL(fileURLWithPath: "\(package)/manifest.json"))
    }
}
