import Foundation
import TestSupport
import Testing

/// `ptq export` on packages of the bundled digits network, each format checked by its real consumer's own
/// reader (`Tests/Interop/check_export.py`: onnxruntime's `load_tensors_data`, `quantize_static` and an
/// `InferenceSession`; ORT's `TrtTable` flatbuffers reader and `write_calibration_table`; ModelOpt's
/// `struct.unpack("!f", …)` rule for TensorRT caches), plus the refusals and `--force` rules.
///
/// The consumer checks need a Python with onnxruntime, onnx, h5py and numpy (`make test-venv`); without
/// one they are skipped visibly, unless `PTQ_REQUIRE_INTEROP=1` (CI).
@Suite struct ExportTests {
    static let python = InteropPython.find(importing: ["onnxruntime", "onnx", "h5py", "numpy", "flatbuffers"])
    static let skipMessage: Comment =
        "SKIPPED: no Python with onnxruntime, onnx, h5py, numpy (make test-venv, or set PTQ_PYTHON)"
    static let names = "Tests/Fixtures/export/digits-onnx-names.yaml"
    static let script = PTQProcess.repository.appendingPathComponent("Tests/Interop/check_export.py").path

    /// A package of the digits network calibrated with `Tests/Fixtures/export/<config>.yaml`.
    static func package(_ config: String, in scratch: CalibrateTests.Scratch) throws -> String {
        let output = "\(scratch.path)/\(config).pkg"
        try CalibrateTests.calibrate([
            "--weights", CalibrateTests.weights, "--activations", CalibrateTests.activations,
            "--config", "Tests/Fixtures/export/\(config).yaml", "--output", output,
        ])
        return output
    }

    /// Runs `ptq export` and requires success.
    @discardableResult
    static func export(_ arguments: [String]) throws -> PTQProcess.Result {
        let result = try PTQProcess.run(["export"] + arguments)
        try #require(result.status == 0, "ptq export \(arguments): \(result.stderr)")
        return result
    }

    /// Runs the consumer check and requires it to pass.
    static func consumerCheck(_ arguments: [String]) throws {
        let python = try #require(python, "PTQ_REQUIRE_INTEROP=1 but no Python with onnxruntime and onnx was found")
        let (status, output) = try InteropPython.run(python, [script] + arguments)
        #expect(status == 0, "\(output)")
        print(output)
    }

    @Test(.enabled(if: python != nil || InteropPython.required, skipMessage))
    func onnxRuntimeQuantizesFromTheCache() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-onnxruntime", in: scratch)
        let cache = "\(scratch.path)/calibration.json"
        try Self.export([package, "--format", "onnxruntime", "--names", Self.names, "-o", cache])
        try Self.consumerCheck(["onnxruntime", package, cache, "--names", Self.names, "--workdir", scratch.path])
    }

    @Test(.enabled(if: python != nil || InteropPython.required, skipMessage))
    func onnxRuntimeTableReadsBack() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-tensorrt", in: scratch)
        let table = "\(scratch.path)/table"
        try Self.export([package, "--format", "onnxruntime-table", "--names", Self.names, "-o", table])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: table).sorted()
                == ["calibration.cache", "calibration.flatbuffers", "calibration.json"])
        try Self.consumerCheck(["onnxruntime-table", package, table, "--names", Self.names])
    }

    @Test(.enabled(if: python != nil || InteropPython.required, skipMessage))
    func tensorRTCacheParsesAsModelOptReadsIt() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-tensorrt", in: scratch)
        let cache = "\(scratch.path)/trt.cache"
        try Self.export([package, "--format", "tensorrt", "--tensorrt-version", "8601", "-o", cache])
        let text = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(text.hasPrefix("TRT-8601-EntropyCalibration2\nfc1: 3c010204\n"), "\(text)")  // amax 1.0
        try Self.consumerCheck(["tensorrt", package, cache, "--version", "8601"])
    }

    static let numpyPython = InteropPython.find(importing: ["numpy"])

    /// Every AIMET version's file has the structure, names and encodings of the files aimet-onnx 2.42's
    /// `load_encodings_to_sim` loaded (Tests/Interop/aimet/goldens-*.json, made outside CI by
    /// `make_goldens.sh`; AIMET's quantization simulation then scored 97.79 % held-out, as float).
    @Test(
        .enabled(if: numpyPython != nil || InteropPython.required, "SKIPPED: no Python with numpy"),
        arguments: ["w8a8-onnxruntime", "w8a8-tensorrt"])
    func aimetFilesMatchWhatAIMETLoaded(config: String) throws {
        let python = try #require(Self.numpyPython, "PTQ_REQUIRE_INTEROP=1 but no Python with numpy was found")
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package(config, in: scratch)
        let directory = "\(scratch.path)/aimet"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for version in ["0.6.1", "1.0.0", "2.0.0"] {
            let result = try Self.export([
                package, "--format", "aimet", "--aimet-version", version, "--names", Self.names,
                "-o", "\(directory)/\(version).encodings",
            ])
            #expect(result.stderr.contains("biases left out"), "\(result.stderr)")
        }
        let golden = PTQProcess.repository.appendingPathComponent("Tests/Interop/aimet/goldens-\(config).json").path
        let (status, output) = try InteropPython.run(
            python, [Self.script, "aimet", package, directory, "--golden", golden])
        #expect(status == 0, "\(output)")
    }

    static let safetensorsPython = InteropPython.find(importing: ["numpy", "h5py", "safetensors"])

    /// compressed-tensors exports (int8 W8A8 `int-quantized`; 4-bit asymmetric and symmetric per-group
    /// `pack-quantized`) re-read with safetensors + numpy dequantize to exactly `ptq dequantize`'s values
    /// and to what compressed-tensors 0.20's own decompression gave (Tests/Interop/compressed_tensors/).
    @Test(
        .enabled(
            if: safetensorsPython != nil || InteropPython.required, "SKIPPED: no Python with numpy, h5py, safetensors"),
        arguments: [
            ("w8a8", "Tests/Fixtures/export/w8a8-onnxruntime.yaml"), ("w4-asym", "Configs/w4-per-group.yaml"),
            ("w4-sym", "Tests/Fixtures/export/w4a16-symmetric.yaml"),
        ])
    func compressedTensorsDequantizesLikeTheLibrary(name: String, config: String) throws {
        let python = try #require(Self.safetensorsPython, "PTQ_REQUIRE_INTEROP=1 but no Python with safetensors")
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/\(name).pkg"
        try CalibrateTests.calibrate([
            "--weights", CalibrateTests.weights, "--activations", CalibrateTests.activations, "--config", config,
            "--output", package,
        ])
        let output = "\(scratch.path)/\(name).ct"
        try Self.export([package, "--format", "compressed-tensors", "-o", output])
        let restored = "\(scratch.path)/\(name).h5"
        let dequantized = try PTQProcess.run(["dequantize", package, "-o", restored])
        try #require(dequantized.status == 0, "\(dequantized.stderr)")
        let golden = PTQProcess.repository.appendingPathComponent("Tests/Interop/compressed_tensors/goldens.json").path
        let (status, text) = try InteropPython.run(
            python,
            [
                Self.script, "compressed-tensors", package, output, "--restored", restored, "--golden", golden,
                "--golden-name", name,
            ])
        #expect(status == 0, "\(text)")
    }

    /// Settings a target cannot express fail with 65 naming the layer; nothing is written.
    @Test func refusalsNameTheLayer() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-onnxruntime", in: scratch)
        let cache = "\(scratch.path)/trt.cache"
        let asymmetric = try PTQProcess.run([
            "export", package, "--format", "tensorrt", "--tensorrt-version", "8601", "-o", cache,
        ])
        #expect(asymmetric.status == 65)
        #expect(asymmetric.stderr.contains("layer 'fc1': cannot export to tensorrt"), "\(asymmetric.stderr)")
        #expect(asymmetric.stderr.contains("symmetric ranges (zero point 0) only"), "\(asymmetric.stderr)")
        let noVersion = try PTQProcess.run(["export", package, "--format", "tensorrt", "-o", cache])
        #expect(noVersion.status == 64, "\(noVersion.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache))
        #expect(try scratch.entries() == ["w8a8-onnxruntime.pkg"])

        let weightsOnly = "\(scratch.path)/weights-only.pkg"
        try CalibrateTests.calibrate([
            "--weights", CalibrateTests.weights, "--config", "Configs/w4-per-group.yaml", "--output", weightsOnly,
        ])
        let empty = try PTQProcess.run(["export", weightsOnly, "--format", "onnxruntime", "-o", cache])
        #expect(empty.status == 65)
        #expect(empty.stderr.contains("no layer has activation parameters"), "\(empty.stderr)")
        let grouped = try PTQProcess.run(["export", weightsOnly, "--format", "aimet", "-o", cache])
        #expect(grouped.status == 65)
        #expect(
            grouped.stderr.contains("tensor '/fc1/weight': cannot export to aimet: it is per-group"),
            "\(grouped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache))
        let asymmetric8 = "\(scratch.path)/w8-asymmetric.yaml"
        try Data(
            "version: 1\nweights:\n  bits: 8\n  scheme: asymmetric\n  granularity: per-channel\n  axis: 0\n".utf8
        ).write(to: URL(fileURLWithPath: asymmetric8))
        let w8 = "\(scratch.path)/w8.pkg"
        try CalibrateTests.calibrate(["--weights", CalibrateTests.weights, "--config", asymmetric8, "--output", w8])
        let vllm = try PTQProcess.run(["export", w8, "--format", "compressed-tensors", "-o", "\(scratch.path)/ct"])
        #expect(vllm.status == 65)
        #expect(vllm.stderr.contains("tensor '/fc1/weight': cannot export to compressed-tensors"), "\(vllm.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/ct"))
    }

    /// Unknown names in the map are errors; layers it does not name are reported and keep their names.
    @Test func namesMapIsChecked() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-onnxruntime", in: scratch)
        let cache = "\(scratch.path)/cache.json"
        let unknown = "\(scratch.path)/unknown.json"
        try Data(#"{"fc1": "input", "fc9": "x"}"#.utf8).write(to: URL(fileURLWithPath: unknown))
        let refused = try PTQProcess.run([
            "export", package, "--format", "onnxruntime", "--names", unknown, "-o", cache,
        ])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("not an exported name of the package: 'fc9'"), "\(refused.stderr)")
        let clash = "\(scratch.path)/clash.json"
        try Data(#"{"fc1": "fc2"}"#.utf8).write(to: URL(fileURLWithPath: clash))
        let clashed = try PTQProcess.run(["export", package, "--format", "onnxruntime", "--names", clash, "-o", cache])
        #expect(clashed.status == 65)
        #expect(clashed.stderr.contains("'fc1' and 'fc2' would both be named 'fc2'"), "\(clashed.stderr)")
        for (text, shown) in [
            (#"{"fc1": 12}"#, "'12' reads as YAML int value"), ("fc1: true\n", "'true' reads as YAML bool value"),
        ] {
            let typed = "\(scratch.path)/typed.yaml"
            try Data(text.utf8).write(to: URL(fileURLWithPath: typed))
            let result = try PTQProcess.run([
                "export", package, "--format", "onnxruntime", "--names", typed, "-o", cache,
            ])
            #expect(result.status == 65, "\(text)")
            #expect(result.stderr.contains(shown) && result.stderr.contains("quote it"), "\(result.stderr)")
        }
        let quoted = "\(scratch.path)/quoted.yaml"
        try Data("fc1: \"12\"\n".utf8).write(to: URL(fileURLWithPath: quoted))
        let accepted = try PTQProcess.run([
            "export", package, "--format", "onnxruntime", "--names", quoted, "-o", cache,
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        try? FileManager.default.removeItem(atPath: cache)
        let missing = try PTQProcess.run([
            "export", package, "--format", "onnxruntime", "--names", "\(scratch.path)/none.yaml", "-o", cache,
        ])
        #expect(missing.status == 66, "\(missing.stderr)")

        let partial = "\(scratch.path)/partial.yaml"
        try Data("fc1: input\n".utf8).write(to: URL(fileURLWithPath: partial))
        let result = try Self.export([package, "--format", "onnxruntime", "--names", partial, "-o", cache])
        #expect(result.stderr.contains("exported under their default names: fc2, fc3"), "\(result.stderr)")
        let text = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(text.contains(#""input": {"lowest""#) && text.contains(#""fc2": {"lowest""#), "\(text)")
    }

    /// An existing output is kept without --force, replaced with it only when it is the same kind of export.
    @Test func forceReplacesOnlyAnExport() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.package("w8a8-tensorrt", in: scratch)
        let cases = [("onnxruntime", [String]()), ("tensorrt", ["--tensorrt-version", "8601"]), ("aimet", [])]
        for (format, extra) in cases {
            let output = "\(scratch.path)/\(format).out"
            try Self.export([package, "--format", format, "-o", output] + extra)
            let again = try PTQProcess.run(["export", package, "--format", format, "-o", output] + extra)
            #expect(again.status == 73, "\(again.stderr)")
            try Self.export([package, "--format", format, "-o", output, "--force"] + extra)
            let foreign = "\(scratch.path)/\(format).foreign"
            try Data("not an export\n".utf8).write(to: URL(fileURLWithPath: foreign))
            let refused = try PTQProcess.run(["export", package, "--format", format, "-o", foreign, "--force"] + extra)
            #expect(refused.status == 73, "\(refused.stderr)")
            #expect(try String(contentsOfFile: foreign, encoding: .utf8) == "not an export\n")
        }
        let table = "\(scratch.path)/table"
        try Self.export([package, "--format", "onnxruntime-table", "-o", table])
        try Self.export([package, "--format", "onnxruntime-table", "-o", table, "--force"])
        let refused = try PTQProcess.run(["export", package, "--format", "onnxruntime-table", "-o", package, "--force"])
        #expect(refused.status == 73, "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(package)/manifest.json"))
    }
}
