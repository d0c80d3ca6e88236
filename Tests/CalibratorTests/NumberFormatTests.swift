import Foundation
import PTQKit
import TestSupport
import Testing

/// Tests/Fixtures/formats/format_goldens.json, written by make_format_goldens.py (numpy + ml_dtypes): per
/// format and weight of the bundled model, the SHA-256 of the dequantized float32 tensor.
struct FormatGoldens: Decodable {
    struct Tensor: Decodable {
        var sha256: String
        var first: [String]
        var sqnrDecibels: Double

        enum CodingKeys: String, CodingKey {
            case sha256, first
            case sqnrDecibels = "sqnr_decibels"
        }
    }
    var formats: [String: [String: Tensor]]

    static func load() throws -> FormatGoldens { try TestPaths.decodeFixture("formats/format_goldens.json") }

    /// SHA-256 of float32 values as little-endian bytes, as the golden script hashes them.
    static func digest(_ values: [Float]) -> String {
        var hash = PackageFormat.SHA256()
        hash.update(values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
        return hash.finalize().hex
    }
}

/// Every `format:` other than `int`, calibrated in process on the bundled weights: the package verifies,
/// and `PackageReader.dequantized` (what `ptq dequantize` writes) equals numpy + ml_dtypes bit for bit.
@Suite struct NumberFormatTests {
    static let formats = NumberFormatSetting.allCases.filter { $0 != .int }

    @Test("Dequantized weights equal the ml_dtypes goldens bit for bit", arguments: formats)
    func dequantizedEqualsGoldens(format: NumberFormatSetting) throws {
        let goldens = try #require(try FormatGoldens.load().formats[format.rawValue])
        let scratch = try ScratchDirectory("format-\(format.rawValue)")
        defer { scratch.remove() }
        let config = scratch.path("config.yaml")
        try "weights: {format: \(format.rawValue)}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let job = CalibrationJob(
            inputs: CalibrationJob.Inputs(weights: Bundled.weights, config: config), output: scratch.path("pkg"),
            options: CalibrationJob.Options(threads: 1))
        _ = try job.run()
        let report = try PackageVerifier.verify(path: scratch.path("pkg"), against: Bundled.weights)
        #expect(report.passed, "\(report.problems)")
        let package = try PackageReader(path: scratch.path("pkg"))
        for (dataset, golden) in goldens {
            let record = try #require(package.manifest.tensors.first { $0.dataset == dataset })
            #expect(record.quantization?.format == format.rawValue)
            let restored = try package.dequantized(record)
            #expect(FormatGoldens.digest(restored) == golden.sha256, "\(format) \(dataset)")
            #expect(
                restored.prefix(8).map { String(format: "%08x", $0.bitPattern) } == golden.first, "\(format) \(dataset)"
            )
            let sqnr = try #require(record.metrics?.sqnrDecibels)
            #expect(abs(sqnr - golden.sqnrDecibels) < 1e-3, "\(format) \(dataset)")
        }
    }

    @Test(
        "Contradicting settings are config errors naming the key",
        arguments: [
            ("weights: {format: fixed, scheme: asymmetric}", "weights.scheme"),
            ("weights: {format: fp8_e4m3fn, scheme: auto}", "weights.scheme"),
            ("weights: {format: mxfp4, granularity: per-tensor}", "weights.granularity"),
            ("weights: {format: mxfp8_e4m3, group-size: 16}", "weights.group-size"),
            ("weights: {format: nvfp4, granularity: per-channel}", "weights.granularity"),
            ("weights: {format: fp4_e2m1fn, signedness: unsigned}", "weights.signedness"),
            ("weights: {fraction-bits: 4}", "weights.fraction-bits"),
            ("weights: {format: fixed, fraction-bits: 3, fraction-digits: 2}", "weights.fraction-digits"),
            ("weights: {format: fixed, bits: 8, fraction-digits: 3}", "weights.fraction-digits"),
            ("activations: {format: mxfp4}", "activations.format"),
            ("activations: {format: fixed}", "activations.format"),
            ("activations: {format: fp8_e4m3fn, scheme: asymmetric}", "activations.scheme"),
            (
                "weights: {format: fixed}\noverrides: [{match: fc2, weights: {scheme: asymmetric}}]",
                "overrides[0].weights.scheme"
            ),
            ("weights: {format: fp9}", "weights.format"),
        ])
    func contradictionsAreConfigErrors(text: String, keyPath: String) throws {
        #expect {
            _ = try CalibrationConfig.parse(text + "\n")
        } throws: { error in
            (error as? ConfigError)?.keyPath == keyPath
        }
    }

    @Test("A stack of overrides that contradicts its format is refused per layer, naming the last override")
    func stackedOverridesAreRefused() throws {
        let config = try CalibrationConfig.parse(
            """
            overrides:
              - {match: "fc*", weights: {format: fixed}}
              - {match: fc2, weights: {scheme: asymmetric}}
            """)
        let scratch = try ScratchDirectory("format-stack")
        defer { scratch.remove() }
        #expect {
            _ = try Calibrator(config: config).calibrate(weights: Bundled.weights, activations: [])
        } throws: { error in
            guard case .config(let e) = error as? CalibrationError else { return false }
            return e.keyPath == "overrides[1].weights.scheme" && "\(e)".contains("layer fc2")
        }
    }

    @Test("A block-scaled format implies symmetric blocks of its size along the last axis")
    func blockFormatsImplyTheirBlocks() throws {
        let config = try CalibrationConfig.parse("weights: {format: nvfp4}\nactivations: {format: fp8_e4m3fn}\n")
        let policy = config.policy(for: "fc1")
        #expect(policy.weights.granularity == .perGroup && policy.weights.groupSize == 16 && policy.weights.axis == -1)
        #expect(policy.weights.scheme == .symmetric && policy.activations.scheme == .symmetric)
        // Integer settings record no format: their manifests stay as before.
        let json = try JSONEncoder().encode(CalibrationConfig().policy(for: "fc1"))
        #expect(!String(decoding: json, as: UTF8.self).contains("format"))
    }

    /// The seed's worked example: with E = 0.001, −12.064 is S = 1, I = 12, m = 64.
    @Test("Fixed point with fraction-digits reproduces the seed's −12.064 = −(12 + 64·0.001)")
    func seedDecimalExample() throws {
        let scratch = try ScratchDirectory("format-seed")
        defer { scratch.remove() }
        let weights = scratch.path("w.h5")
        try writeHDF5(weights, [("/fc/weight", [2, 3], [-12.064, 0.5, 31.9994, 3.25, -0.001, 40])])
        let config = try CalibrationConfig.parse(
            "weights: {format: fixed, bits: 16, fraction-digits: 3, granularity: per-tensor}\n")
        var stored: [CalibratedTensor] = []
        _ = try Calibrator(config: config).calibrate(weights: weights, activations: [], tensors: { stored.append($0) })
        let tensor = try #require(stored.first)
        guard case .fixedPoint(let codes, let parameters, .none, .some(3), _) = tensor.content else {
            Issue.record("not a decimal fixed-point tensor: \(tensor.content)")
            return
        }
        // Fields: a sign bit, I of 16 − 1 − 10 = 5 bits, m of ⌈log2 1000⌉ = 10 bits.
        let seed = try FixedPointFormat.decimal(integerBits: 5, fractionDigits: 3)
        let fields = seed.encode(-12.064)
        #expect(fields.isNegative && fields.integer == 12 && fields.fraction == 64)
        #expect(seed.bits(of: fields) == 0b1_01100_0001000000)
        // Stored as the signed count of E units; 31.9994 rounds to 31.999 and 40 saturates there too.
        #expect(codes == [-12_064, 500, 31_999, 3_250, -1, 31_999])
        #expect(parameters.scales == [Float("1e-3")])
        // Through a package: x̂ = Float(q / 1000), the Float nearest each decimal value.
        let job = CalibrationJob(
            inputs: CalibrationJob.Inputs(weights: weights, config: try configFile(scratch)),
            output: scratch.path("pkg"))
        _ = try job.run()
        #expect(try PackageVerifier.verify(path: scratch.path("pkg"), against: weights).passed)
        let package = try PackageReader(path: scratch.path("pkg"))
        let record = try #require(package.manifest.tensors.first)
        #expect(record.quantization?.format == "fixed" && record.quantization?.fractionDigits == 3)
        #expect(try package.dequantized(record) == [-12.064, 0.5, 31.999, 3.25, -0.001, 31.999])
    }

    /// The seed example's configuration as a file.
    private func configFile(_ scratch: ScratchDirectory) throws -> String {
        let path = scratch.path("seed.yaml")
        try "weights: {format: fixed, bits: 16, fraction-digits: 3, granularity: per-tensor}\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
