import Foundation

/// The committed HDF5 fixtures (`Tests/Fixtures/hdf5`, written by `Tests/Fixtures/make_hdf5_fixtures.py`)
/// and the values h5py/numpy recorded for them in `expected.json`.
enum Fixtures {
    /// `Tests/Fixtures/hdf5`, found relative to this source file.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/hdf5")

    /// `fixtures.h5`.
    static var file: String { directory.appendingPathComponent("fixtures.h5").path }

    /// The decoded `expected.json`.
    static let expected: Expected = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
            return try JSONDecoder().decode(Expected.self, from: data)
        } catch {
            fatalError("cannot read Tests/Fixtures/hdf5/expected.json: \(error)")
        }
    }()

    /// A fresh temporary directory for files a test writes; removed by the caller with `cleanUp`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptqkit-hdf5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A number as written by the fixture script: exact integers, floats, or `"nan"`/`"inf"`/`"-inf"`.
enum JSONNumber: Decodable, Equatable {
    case signed(Int64)
    case unsigned(UInt64)
    case real(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int64.self) {
            self = .signed(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Double.self) {
            self = .real(value)
        } else {
            switch try container.decode(String.self) {
            case "nan": self = .real(.nan)
            case "inf": self = .real(.infinity)
            case "-inf": self = .real(-.infinity)
            case let other: throw DecodingError.dataCorruptedError(in: container, debugDescription: other)
            }
        }
    }

    /// The value as a Double (exact for the floats and the small integers of the fixtures).
    var double: Double {
        switch self {
        case .signed(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .real(let value): value
        }
    }
}

/// The contents of `expected.json`.
struct Expected: Decodable {
    struct DType: Decodable {
        var kind: String
        var bits: Int
        var byte_order: String
        var name: String
    }
    struct FilterSpec: Decodable {
        var name: String
        var level: Int?
    }
    struct Stats: Decodable {
        var count: Int
        var finite_count: Int
        var nan_count: Int
        var posinf_count: Int
        var neginf_count: Int
        var zero_fraction: Double
        var min: Double?
        var max: Double?
        var mean: Double?
        var std: Double?
        var absmax: Double?
    }
    struct DatasetSpec: Decodable {
        var dtype: DType
        var shape: [Int]
        var chunks: [Int]?
        var filters: [FilterSpec]
        var values: [JSONNumber]
        var stats: Stats
    }
    struct Entry: Decodable {
        var path: String
        var kind: String
        var target: String?
    }
    struct Attribute: Decodable {
        var kind: String
        var value: AttributeJSON
    }
    enum AttributeJSON: Decodable {
        case string(String)
        case strings([String])
        case number(JSONNumber)
        case numbers([JSONNumber])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode([String].self) {
                self = .strings(value)
            } else if let value = try? container.decode([JSONNumber].self) {
                self = .numbers(value)
            } else if let value = try? container.decode(JSONNumber.self) {
                self = .number(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }
    struct Shards: Decodable {
        var rows: [Int]
        var row_elements: Int
        var values: [[JSONNumber]]
    }

    var tree: [Entry]
    var datasets: [String: DatasetSpec]
    var unsupported: [String: String]
    var attributes: [String: Attribute]
    var root_attributes: [String: String]
    var shards: Shards
}
