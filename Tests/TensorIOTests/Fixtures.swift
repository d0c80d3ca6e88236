import Foundation

/// The committed HDF5 fixtures (written by `Tests/Fixtures/make_hdf5_fixtures.py`) and the parts of
/// `expected.json` the TensorIO tests use.
enum Fixtures {
    /// `Tests/Fixtures/hdf5`, found relative to this source file.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/hdf5")

    /// `fixtures.h5`.
    static var file: String { directory.appendingPathComponent("fixtures.h5").path }

    /// The shard files, in order.
    static var shards: [String] {
        (0..<3).map { directory.appendingPathComponent("shards/shard_00\($0).h5").path }
    }

    /// A fresh temporary directory for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptqkit-tensorio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The decoded `expected.json`.
    static let expected: Expected = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
            return try JSONDecoder().decode(Expected.self, from: data)
        } catch {
            fatalError("cannot read Tests/Fixtures/hdf5/expected.json: \(error)")
        }
    }()
}

/// A float written by the fixture script (`"nan"`, `"inf"`, `"-inf"` for the special values).
struct JSONFloat: Decodable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else {
            switch try container.decode(String.self) {
            case "nan": value = .nan
            case "inf": value = .infinity
            default: value = -.infinity
            }
        }
    }
}

/// The parts of `expected.json` used here.
struct Expected: Decodable {
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
        var shape: [Int]
        var stats: Stats
    }
    struct Shards: Decodable {
        var rows: [Int]
        var row_elements: Int
        var values: [[JSONFloat]]
    }
    var datasets: [String: DatasetSpec]
    var shards: Shards
}
