import Foundation
import HDF5
import TestSupport
import Testing

@testable import TensorIO

/// The zero-copy path (`ReadPath.mapped`) against the copying paths: byte-identical batches on the
/// layouts written here and on the h5py fixtures, mapping offered exactly where the bytes are usable.
@Suite struct TensorSourceMappedReadTests {
    /// Every read path a source can be limited to: mapped (default), raw chunks, hyperslab only.
    static func variants(_ source: TensorSource) -> [TensorSource] {
        var copying = source
        copying.allowsMapping = false
        var hyperslab = copying
        hyperslab.allowsRawChunks = false
        return [source, copying, hyperslab]
    }

    /// Whether batch `rows` of `dataset` should be mapped: direct storage, one run of the file, aligned.
    static func expectsMapping(file: String, dataset: String, rows: Range<Int>) throws -> Bool {
        let opened = try File(file).openDataset(dataset)
        guard let storage = try opened.directStorage(as: Float.self),
            let bytes = try opened.storedByteRange(rows, storage: storage)
        else { return false }
        return bytes.lowerBound % 4 == 0
    }

    static let layoutNames = TensorSourceReadPathTests.cases.map(\.name)
    /// Datasets whose stored bytes are native float32 in whole rows (the rest must never be mapped).
    static let directNames: Set<String> = [
        "partialLastChunk", "wholeChunks", "smallerThanAChunk", "threeDimensional", "contiguous", "partlyAllocated",
    ]

    @Test(arguments: layoutNames, [1, 5, 16, 48, 100, 1000])
    func mappedBatchesEqualCopiedBatches(name: String, batchRows: Int) throws {
        let file = TensorSourceReadPathTests.file
        let source = try TensorSource(file: file, dataset: name, batch: .rows(batchRows))
        let results = try Self.variants(source).map(TensorSourceReadPathTests.collect)
        #expect(results[0].bits == results[2].bits)
        #expect(results[1].bits == results[2].bits)
        #expect(results[0].rows == results[2].rows)
        #expect(results[1].paths.allSatisfy { $0 != .mapped } && results[2].paths.allSatisfy { $0 == .hyperslab })
        for (rows, path) in zip(results[0].rows, results[0].paths) {
            let expected = try Self.expectsMapping(file: file, dataset: name, rows: rows)
            #expect((path == .mapped) == expected, "\(name) rows \(rows): \(path)")
        }
        let opened = try File(file).openDataset(name)
        #expect((try opened.directStorage(as: Float.self) != nil) == Self.directNames.contains(name))
        if Self.directNames.contains(name) && name != "contiguous" && name != "partlyAllocated" && batchRows == 1 {
            // A single row lies inside one chunk, always one run of the file (4-byte aligned: whole rows of
            // float32; the chunk addresses of this file are 4-byte aligned): every batch is mapped.
            #expect(results[0].paths.allSatisfy { $0 == .mapped })
        }
    }

    /// The numeric datasets of the h5py fixture file with at least one row.
    static let fixtureDatasets = [
        "big_endian_f32", "big_endian_i32", "chunked_gzip", "chunked_shuffle_gzip", "float16", "ints/int16",
        "ints/uint8",
        "model_weights/dense/dense/bias:0", "model_weights/dense/dense/kernel:0", "nested/a/b/c/values", "stats/rows",
        "stats/specials", "with.dots/weights.v1.2",
    ]

    @Test(arguments: fixtureDatasets, [1, 3, 16, 17, 1000])
    func h5pyFixturesReadIdenticallyOnEveryPath(dataset: String, batchRows: Int) throws {
        let source = try TensorSource(file: Fixtures.file, dataset: dataset, batch: .rows(batchRows))
        let results = try Self.variants(source).map(TensorSourceReadPathTests.collect)
        #expect(results[0].bits == results[2].bits && results[1].bits == results[2].bits)
        #expect(results[0].rows == results[2].rows)
        let mapped = results[0].paths.filter { $0 == .mapped }.count
        switch dataset {
        case "stats/rows", "nested/a/b/c/values":
            // h5py's chunked float32 (consecutive chunks) and an aligned contiguous float32 dataset.
            #expect(mapped == results[0].paths.count)
        case "model_weights/dense/dense/bias:0", "stats/specials":
            // Contiguous float32 at an address that is not 4-byte aligned: copied.
            #expect(mapped == 0)
        case "model_weights/dense/dense/kernel:0":
            break
        default:
            // Big-endian, gzip, float16, integers, float64: never mapped.
            #expect(mapped == 0)
        }
    }

    @Test func shardsStreamIdenticallyThroughThePipeline() throws {
        let source = try TensorSource(files: Fixtures.shards, dataset: "x", batch: .rows(7))
        for variant in Self.variants(source) {
            var serial: [Int: [UInt32]] = [:]
            var sequence = 0
            try variant.forEachBatch { batch in
                serial[sequence] = batch.values.map(\.bitPattern)
                sequence += 1
            }
            let parts = try BatchPipeline(workers: 2, depth: 3).run([variant], makeState: { _ in [Int: [UInt32]]() }) {
                state, item in state[item.sequence] = item.batch.values.map(\.bitPattern)
            }
            let merged = parts.reduce(into: [Int: [UInt32]]()) { $0.merge($1) { a, _ in a } }
            #expect(merged == serial)
        }
    }

    /// `userblock.json`: the values h5py wrote into both datasets of `userblock.h5` (the file's key names).
    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct UserBlockValues: Decodable {
        var shape: [Int]
        var float32_bits: [UInt32]
    }

    @Test(arguments: ["contiguous", "chunked"], [1, 3, 4, 9])
    func filesWithAUserBlockAreReadWithoutMapping(dataset: String, batchRows: Int) throws {
        let file = Fixtures.directory.appendingPathComponent("userblock.h5").path
        let json = try Data(contentsOf: Fixtures.directory.appendingPathComponent("userblock.json"))
        let expected = try JSONDecoder().decode(UserBlockValues.self, from: json)
        #expect(try File(file).openDataset(dataset).directStorage(as: Float.self) == nil)
        let source = try TensorSource(file: file, dataset: dataset, batch: .rows(batchRows))
        for result in try Self.variants(source).map(TensorSourceReadPathTests.collect) {
            #expect(result.bits == expected.float32_bits)
            #expect(!result.paths.contains(.mapped))
        }
    }

    @Test func windowsBeyondTheEndOfTheFileAreRefused() throws {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: Fixtures.file)[.size] as? Int)
        let file = try #require(MappedFile(path: Fixtures.file))
        #expect(file.window(0..<size) != nil)
        #expect(file.window((size - 10)..<(size + 1)) == nil)
        #expect(file.window(5..<5) == nil)
        #expect(MappedFile(path: Fixtures.file + ".missing") == nil)
    }
}
