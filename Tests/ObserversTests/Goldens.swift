import Foundation
import TestSupport

// The field names are the fixture's JSON keys (snake_case), decoded as they are.
// swift-format-ignore: AlwaysUseLowerCamelCase
/// The committed reference values of `Tests/Fixtures/observer_goldens.json`
/// (made by `Tests/Fixtures/make_observer_goldens.py` with PyTorch, ONNX Runtime and numpy).
struct Goldens: Decodable {
    struct QParams: Decodable {
        var min_bits: [UInt32]
        var max_bits: [UInt32]
        var scale_bits: [UInt32]
        var zero_point: [Int]
    }
    struct HistogramRecord: Decodable {
        var search_min: Double
        var search_max: Double
        var scale: Double
        var zero_point: Int
        var qmin: Int
        var qmax: Int
        var mse: Double
    }
    struct TorchRecords: Decodable {
        var minmax: [String: QParams]
        var per_channel: [String: QParams]
        var moving_average: [String: QParams]
        var histogram: [String: HistogramRecord]
    }
    struct ThresholdRecord: Decodable {
        var low: Double
        var high: Double
        var bin_width: Double
        var bins: Int
    }
    struct NumpyRecord: Decodable {
        var p: Double
        var low: Double?
        var high: Double
    }
    struct GridRecord: Decodable {
        var budget: Int
        var exponent: Int
        var first_bin: Int64
        var counts: [UInt64]
        var ort_entropy_low: Double
        var ort_entropy_high: Double
        var bin_width: Double
    }
    struct Fixture: Decodable {
        var exact_grid: GridRecord
        var shape: [Int]
        var data_f32le_base64: String
        var torch: TorchRecords
        var onnxruntime: [String: ThresholdRecord]
        var numpy: [String: NumpyRecord]

        /// The tensor's elements.
        var data: [Float] {
            guard let bytes = Data(base64Encoded: data_f32le_base64) else { return [] }
            return bytes.withUnsafeBytes { raw in
                (0..<bytes.count / 4).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
                }
            }
        }
    }
    var fixtures: [String: Fixture]

    static let names = ["gaussian", "relu", "student_t", "outliers"]

    static func load() throws -> Goldens { try TestPaths.decodeFixture("observer_goldens.json") }

    static let shared: Goldens? = try? load()
}
