import Foundation
import HDF5
import TensorIO
import TestSupport
import Testing

/// Raw-chunk reads (`H5Dread_chunk`) against the hyperslab path on datasets written here with every layout
/// that must and must not take the fast path.
@Suite struct TensorSourceReadPathTests {
    /// A dataset of the fixture file and whether it qualifies for raw-chunk reads.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var type: NumericType
        var shape: [Int]
        var options: DatasetOptions
        /// Rows actually written (the rest stays unallocated).
        var writtenRows: Int? = nil
        var rawEligible: Bool

        var description: String { name }
    }

    static let chunked = DatasetOptions(chunkShape: [16, 6])
    static let cases: [Case] = [
        // 100 = 6 × 16 + 4: the last chunk is stored full-size with 4 valid rows.
        Case(name: "partialLastChunk", type: .float32, shape: [100, 6], options: chunked, rawEligible: true),
        Case(name: "wholeChunks", type: .float32, shape: [96, 6], options: chunked, rawEligible: true),
        // Fewer rows than one chunk (needs a growable first axis to allow the larger chunk).
        Case(
            name: "smallerThanAChunk", type: .float32, shape: [10, 6],
            options: DatasetOptions(chunkShape: [16, 6], growable: true), rawEligible: true),
        Case(
            name: "threeDimensional", type: .float32, shape: [41, 3, 5],
            options: DatasetOptions(chunkShape: [8, 3, 5]), rawEligible: true),
        Case(
            name: "chunkNarrowerThanRow", type: .float32, shape: [50, 8],
            options: DatasetOptions(chunkShape: [16, 4]), rawEligible: false),
        Case(
            name: "deflate", type: .float32, shape: [100, 6],
            options: DatasetOptions(chunkShape: [16, 6], deflateLevel: 1), rawEligible: false),
        Case(
            name: "shuffleOnly", type: .float32, shape: [100, 6],
            options: DatasetOptions(chunkShape: [16, 6], shuffle: true), rawEligible: false),
        Case(
            name: "bigEndian", type: NumericType.float32.with(byteOrder: .big), shape: [100, 6], options: chunked,
            rawEligible: false),
        Case(name: "float64", type: .float64, shape: [100, 6], options: chunked, rawEligible: false),
        Case(name: "float16", type: .float16, shape: [100, 6], options: chunked, rawEligible: false),
        Case(name: "contiguous", type: .float32, shape: [100, 6], options: DatasetOptions(), rawEligible: false),
        // Chunks never written have no storage: those rows are read through a hyperslab (fill value 0).
        Case(
            name: "partlyAllocated", type: .float32, shape: [100, 6], options: chunked, writtenRows: 32,
            rawEligible: true),
    ]

    /// Value of element `index` of a dataset: varied signs and magnitudes, exactly representable in float16.
    static func value(_ index: Int) -> Float {
        Float((index * 37) % 201 - 100) * 0.25
    }

    /// The fixture file, written once per test process.
    static let file: String = {
        do {
            let path = try Fixtures.temporaryDirectory().appendingPathComponent("layouts.h5").path
            let file = try File(path, mode: .truncate)
            for item in cases {
                let dataset = try file.createDataset(
                    item.name, type: item.type, shape: item.shape, options: item.options)
                let rowElements = item.shape.dropFirst().reduce(1, *)
                let rows = item.writtenRows ?? item.shape[0]
                let values = (0..<(rows * rowElements)).map(value)
                if item.type == .float64 {
                    try dataset.write(values.map(Double.init))
                } else {
                    try dataset.write(values)
                }
            }
            return path
        } catch {
            fatalError("cannot write the raw-chunk fixture: \(error)")
        }
    }()

    /// Streams a dataset and returns the bit patterns, batch row ranges and read paths.
    static func collect(_ source: TensorSource) throws -> (
        bits: [UInt32], rows: [Range<Int>], paths: [TensorSource.ReadPath]
    ) {
        var bits: [UInt32] = []
        var rows: [Range<Int>] = []
        var paths: [TensorSource.ReadPath] = []
        try source.forEachBatch { batch in
            bits.append(contentsOf: batch.values.map(\.bitPattern))
            rows.append(batch.rows)
            paths.append(batch.readPath)
        }
        return (bits, rows, paths)
    }

    @Test(arguments: cases, [1, 5, 16, 32, 48, 96, 100, 1000])
    func rawChunksAndHyperslabGiveIdenticalBatches(item: Case, batchRows: Int) throws {
        var fast = try TensorSource(file: Self.file, dataset: item.name, batch: .rows(batchRows))
        fast.allowsMapping = false
        var slow = fast
        fast.allowsRawChunks = true
        slow.allowsRawChunks = false
        let a = try Self.collect(fast)
        let b = try Self.collect(slow)
        #expect(a.bits == b.bits)
        #expect(a.rows == b.rows)
        #expect(b.paths.allSatisfy { $0 == .hyperslab })
        let chunkRows = item.options.chunkShape?.first ?? 0
        let rows = item.shape[0]
        let step = min(batchRows, rows)
        let aligned = step % max(chunkRows, 1) == 0 || step >= rows
        let expected: TensorSource.ReadPath = item.rawEligible && aligned ? .rawChunks : .hyperslab
        #expect(a.paths.allSatisfy { $0 == expected })
        // The values are the ones written (unwritten rows of the partly allocated dataset read as 0).
        let rowElements = item.shape.dropFirst().reduce(1, *)
        let written = (item.writtenRows ?? rows) * rowElements
        let reference = (0..<(rows * rowElements)).map { $0 < written ? Self.value($0).bitPattern : 0 }
        #expect(a.bits == reference)
    }

    @Test(arguments: [40 * 6 * 4, 64 * 6 * 4, 1 << 20])
    func byteBudgetsRoundedToChunksTakeTheRawPath(bytes: Int) throws {
        var source = try TensorSource(file: Self.file, dataset: "partialLastChunk", batch: .bytes(bytes))
        source.allowsMapping = false
        let result = try Self.collect(source)
        #expect(result.paths.allSatisfy { $0 == .rawChunks })
        #expect(result.bits == (0..<600).map { Self.value($0).bitPattern })
    }

    @Test(arguments: cases)
    func layoutIsOfferedOnlyForEligibleDatasets(item: Case) throws {
        let dataset = try File(Self.file).openDataset(item.name)
        let layout = try dataset.rawChunkLayout(as: Float.self)
        #expect((layout != nil) == item.rawEligible)
        if let layout {
            #expect(layout.chunkRows == item.options.chunkShape?.first)
            #expect(layout.chunkBytes == layout.chunkRows * dataset.rowElementCount * 4)
        }
    }

    @Test func readsThatDoNotCoverWholeChunksAreRejected() throws {
        let dataset = try File(Self.file).openDataset("partialLastChunk")
        let layout = try #require(try dataset.rawChunkLayout(as: Float.self))
        var buffer = [Float](repeating: 0, count: 100 * 6)
        for rows in [1..<17, 0..<17, 16..<40, 90..<100] {
            #expect(throws: HDF5Error.self) {
                try buffer.withUnsafeMutableBufferPointer { try dataset.readRawChunks(rows, layout: layout, into: $0) }
            }
        }
        // The last (partial) chunk alone, into a buffer of exactly its 4 valid rows: read via scratch.
        var tail = [Float](repeating: 0, count: 4 * 6)
        try tail.withUnsafeMutableBufferPointer { try dataset.readRawChunks(96..<100, layout: layout, into: $0) }
        #expect(tail.map(\.bitPattern) == (576..<600).map { Self.value($0).bitPattern })
    }
}
