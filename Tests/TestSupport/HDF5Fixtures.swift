public import Foundation

/// The committed HDF5 fixtures (`Tests/Fixtures/hdf5`, written by `Tests/Fixtures/make_hdf5_fixtures.py`)
/// and the values h5py/numpy recorded for them in `expected.json` (read by the HDF5 and TensorIO tests).
public enum Fixtures {
    /// `Tests/Fixtures/hdf5`.
    public static let directory = TestPaths.fixture("hdf5")

    /// `fixtures.h5`.
    public static var file: String { directory.appendingPathComponent("fixtures.h5").path }

    /// The shard files `shards/shard_000.h5` … `shard_002.h5`, in order.
    public static var shards: [String] {
        (0..<3).map { directory.appendingPathComponent("shards/shard_00\($0).h5").path }
    }

    /// The decoded `expected.json`.
    public static let expected: Expected = {
        do {
            return try TestPaths.decodeFixture("hdf5/expected.json")
        } catch {
            fatalError("cannot read Tests/Fixtures/hdf5/expected.json: \(error)")
        }
    }()

    /// A fresh temporary directory for files a test writes; the caller removes it.
    public static func temporaryDirectory() throws -> URL {
        try TestPaths.temporaryDirectory(prefix: "ptqkit-fixtures")
    }
}

/// A number as written by the fixture script: exact integers, floats, or `"nan"`/`"inf"`/`"-inf"`.
public enum JSONNumber: Decodable, Sendable, Equatable {
    case signed(Int64)
    case unsigned(UInt64)
    case real(Double)

    public init(from decoder: any Decoder) throws {
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
    public var double: Double {
        switch self {
        case .signed(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .real(let value): value
        }
    }
}

/// The contents of `expected.json`; the names are the file's keys (snake_case, as the fixture script writes them).
// swift-format-ignore: AlwaysUseLowerCamelCase
public struct Expected: Decodable, Sendable {
    public struct DType: Decodable, Sendable {
        public var kind: String
        public var bits: Int
        public var byte_order: String
        public var name: String
    }
    public struct FilterSpec: Decodable, Sendable {
        public var name: String
        public var level: Int?
    }
    public struct Stats: Decodable, Sendable {
        public var count: Int
        public var finite_count: Int
        public var nan_count: Int
        public var posinf_count: Int
        public var neginf_count: Int
        public var zero_fraction: Double
        public var min: Double?
        public var max: Double?
        public var mean: Double?
        public var std: Double?
        public var absmax: Double?
    }
    public struct DatasetSpec: Decodable, Sendable {
        public var dtype: DType
        public var shape: [Int]
        public var chunks: [Int]?
        public var filters: [FilterSpec]
        public var values: [JSONNumber]
        public var stats: Stats
    }
    public struct Entry: Decodable, Sendable {
        public var path: String
        public var kind: String
        public var target: String?
    }
    public struct Attribute: Decodable, Sendable {
        public var kind: String
        public var value: AttributeJSON
    }
    public enum AttributeJSON: Decodable, Sendable {
        case string(String)
        case strings([String])
        case number(JSONNumber)
        case numbers([JSONNumber])

        public init(from decoder: any Decoder) throws {
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
    public struct Shards: Decodable, Sendable {
        public var rows: [Int]
        public var row_elements: Int
        public var values: [[JSONNumber]]
    }

    public var tree: [Entry]
    public var datasets: [String: DatasetSpec]
    public var unsupported: [String: String]
    public var attributes: [String: Attribute]
    public var root_attributes: [String: String]
    public var shards: Shards
}
