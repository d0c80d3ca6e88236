import PackageFormat
import Testing

@testable import PackageExport

/// What each format refuses, decided from the manifest record alone (``PackageExporter/check(_:format:)``):
/// non-integer codes (minifloats, MX formats) everywhere, asymmetric or non-int8 ranges for TensorRT, and
/// the scale TensorRT reads is amax / 127.
struct ExportChecksTests {
    static func range(
        format: String = "int8", bits: Int = 8, signed: Bool = true, scheme: String = "asymmetric",
        zeroPoint: Int = -128, lowest: Float = 0, highest: Float = 1
    ) throws -> ExportedRange {
        let record = ActivationRecord(
            datasets: ["/fc1"], observer: "minmax", elementCount: 10, nanCount: 0, infCount: 0, observedMin: lowest,
            observedMax: highest, rangeMin: lowest, rangeMax: highest, clippingFraction: 0, format: format, bits: bits,
            signed: signed, narrowRange: false, qmin: signed ? -128 : 0, qmax: signed ? 127 : 255, scheme: scheme,
            profile: "ptqkit", rounding: "half-even", scale: (highest - lowest) / 255, zeroPoint: zeroPoint)
        return try ExportedRange(layer: "fc1", name: "input", record: record, format: .onnxruntime)
    }

    @Test(arguments: [
        ("int8", true), ("uint8", true), ("int8n", true), ("int16", true), ("uint4", true), ("int", false),
        ("intx", false), ("fp8-e4m3fn", false), ("fp8-e5m2", false), ("mxfp8-e4m3", false), ("mxint8", false),
        ("nvfp4", false), ("uint", false),
    ])
    func integerFormatsAreRecognized(format: String, integer: Bool) throws {
        #expect(try Self.range(format: format).hasIntegerCodes == integer)
    }

    /// A per-channel activation record has no single scale: every format refuses it, naming the layer.
    @Test(arguments: ExportFormat.allCases)
    func perChannelActivationsAreRefused(format: ExportFormat) throws {
        var record = try Self.range().record
        record.scale = nil
        record.zeroPoint = nil
        record.granularity = "per-channel"
        record.scales = [0.1, 0.2]
        record.zeroPoints = [0, 0]
        #expect {
            try ExportedRange(layer: "fc1", name: "input", record: record, format: format)
        } throws: { error in
            guard case .unsupported(let layer, _, let reason) = error as? ExportError else { return false }
            return layer == "fc1" && reason.contains("per channel")
        }
    }

    @Test(arguments: ExportFormat.allCases.filter { $0 != .compressedTensors })
    func minifloatActivationsAreRefused(format: ExportFormat) {
        #expect(throws: ExportError.self) {
            try PackageExporter.check(Self.range(format: "fp8-e4m3fn"), format: format)
        }
    }

    @Test func tensorRTTakesSymmetricInt8Only() throws {
        #expect(throws: ExportError.self) { try PackageExporter.check(Self.range(), format: .tensorrt) }
        #expect(throws: ExportError.self) {
            try PackageExporter.check(
                Self.range(format: "uint8", signed: false, scheme: "symmetric", zeroPoint: 0), format: .tensorrt)
        }
        #expect(throws: ExportError.self) {
            try PackageExporter.check(Self.range(scheme: "symmetric", zeroPoint: 0, highest: 0), format: .tensorrt)
        }
        let symmetric = try Self.range(scheme: "symmetric", zeroPoint: 0, lowest: -2, highest: 1)
        try PackageExporter.check(symmetric, format: .tensorrt)
        #expect(TensorRTCache.render([symmetric], version: "8601") == "TRT-8601-EntropyCalibration2\ninput: 3c810204\n")
        #expect(TensorRTCache.scale(amax: 1) == Float(bitPattern: 0x3c01_0204))
    }

    @Test func onnxRuntimeTakesFourEightSixteenBits() throws {
        try PackageExporter.check(Self.range(), format: .onnxruntime)
        #expect(throws: ExportError.self) {
            try PackageExporter.check(Self.range(format: "int6", bits: 6), format: .onnxruntime)
        }
        #expect(throws: ExportError.self) {
            try PackageExporter.check(Self.range(format: "int16", bits: 16), format: .onnxruntimeTable)
        }
        #expect(throws: ExportError.self) {
            try PackageExporter.check(Self.range(lowest: .nan), format: .onnxruntime)
        }
    }

    /// AIMET's offset is q₀ − z: −128 for symmetric int8, 0 for int8 with zero point −128, −z for uint8.
    @Test func aimetOffsets() {
        let symmetric = AIMETEncoding(
            source: "a", name: "a", bits: 8, signed: true, symmetric: true, scales: [1], zeroPoints: [0], axis: nil)
        let shifted = AIMETEncoding(
            source: "b", name: "b", bits: 8, signed: true, symmetric: false, scales: [1], zeroPoints: [-128], axis: nil)
        let unsigned = AIMETEncoding(
            source: "c", name: "c", bits: 8, signed: false, symmetric: false, scales: [1], zeroPoints: [133], axis: nil)
        #expect(symmetric.offsets == [-128])
        #expect(shifted.offsets == [0])
        #expect(unsigned.offsets == [-133])
        #expect(
            unsigned.rendered(.v200)
                == .object([
                    "name": .string("c"), "output_dtype": .string("uint8"), "y_scale": .float(1),
                    "y_zero_point": .int(133),
                ]))
        #expect(
            symmetric.rendered(.v200)
                == .object(["name": .string("a"), "output_dtype": .string("int8"), "y_scale": .float(1)]))
    }
}
