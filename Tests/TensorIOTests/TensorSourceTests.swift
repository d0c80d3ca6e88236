import Foundation
import HDF5
import TensorIO
import TestSupport
import Testing

@Suite struct TensorSourceTests {
    /// Streams `source` and returns the concatenated values and the row ranges of the batches.
    private func collect(_ source: TensorSource) throws -> (values: [Float], batches: [Range<Int>]) {
        var values: [Float] = []
        var batches: [Range<Int>] = []
        try source.forEachBatch { batch in
            #expect(batch.values.count == batch.rowCount * batch.rowElementCount)
            values.append(contentsOf: batch.values)
            batches.append(batch.rows)
        }
        return (values, batches)
    }

    @Test(arguments: [1, 10, 16, 17, 102, 103, 500])
    func everyRowOnceInOrderWhenRowsDoNotDivide(batchRows: Int) throws {
        let whole: [Float] = try File(Fixtures.file).openDataset("/stats/rows").read()
        let source = try TensorSource(file: Fixtures.file, dataset: "/stats/rows", batch: .rows(batchRows))
        #expect(source.rowCount == 103)
        #expect(source.rowShape == [7])
        let (values, batches) = try collect(source)
        #expect(values == whole)
        #expect(batches.first?.lowerBound == 0)
        #expect(batches.last?.upperBound == 103)
        #expect(zip(batches, batches.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(batches.dropLast().allSatisfy { $0.count == batchRows })
    }

    @Test func byteBudgetIsRoundedDownToWholeChunks() throws {
        // 40 rows of 7 Float32 fit in 1120 bytes; the dataset's chunks hold 16 rows: batches of 32 rows.
        let source = try TensorSource(file: Fixtures.file, dataset: "/stats/rows", batch: .bytes(40 * 7 * 4))
        #expect(source.maxRowsPerBatch == 32)
        let (values, batches) = try collect(source)
        #expect(batches.map(\.count) == [32, 32, 32, 7])
        #expect(values == (try File(Fixtures.file).openDataset("/stats/rows").read(as: Float.self)))
        // Less than one chunk: whole rows within the budget, at least one.
        let small = try TensorSource(file: Fixtures.file, dataset: "/stats/rows", batch: .bytes(3))
        #expect(small.maxRowsPerBatch == 1)
        #expect(try collect(small).values == values)
    }

    @Test func theBufferIsNeverLargerThanTheData() throws {
        let source = try TensorSource(file: Fixtures.file, dataset: "/stats/rows", batch: .bytes(1 << 30))
        #expect(source.maxRowsPerBatch == 103)
        let byRows = try TensorSource(files: Fixtures.shards, dataset: "x", batch: .rows(1000))
        #expect(byRows.maxRowsPerBatch == 13)
        #expect(try collect(byRows).batches.map(\.count) == [11, 7, 13])
    }

    @Test func shardsFromListAndGlobStreamInOrderWithoutSpanningFiles() throws {
        let expected = Fixtures.expected.shards
        let all = expected.values.flatMap { $0.map { Float($0.double) } }
        let listed = try TensorSource(files: Fixtures.shards, dataset: "x", batch: .rows(4))
        let globbed = try TensorSource(
            glob: Fixtures.directory.appendingPathComponent("shards/shard_*.h5").path, dataset: "/x", batch: .rows(4))
        #expect(globbed.shards.map(\.file) == Fixtures.shards)
        for source in [listed, globbed] {
            #expect(source.shards.map(\.rows) == expected.rows)
            #expect(source.rowElementCount == expected.row_elements)
            var files: [String] = []
            var inFile: [Range<Int>] = []
            try source.forEachBatch { batch in
                files.append(batch.file)
                inFile.append(batch.rowsInFile)
            }
            // 11 rows → 4,4,3; 7 → 4,3; 13 → 4,4,4,1.
            #expect(inFile.map(\.count) == [4, 4, 3, 4, 3, 4, 4, 4, 1])
            #expect(files == [0, 0, 0, 1, 1, 2, 2, 2, 2].map { Fixtures.shards[$0] })
            #expect(try collect(source).values == all)
        }
    }

    @Test func scalarAndEmptyDatasets() throws {
        let scalar = try TensorSource(file: Fixtures.file, dataset: "/scalar")
        #expect(try collect(scalar).values == [3.5])
        let empty = try TensorSource(file: Fixtures.file, dataset: "/empty_rows")
        #expect(try collect(empty).batches.isEmpty)
    }

    @Test func errorsNameTheirCause() throws {
        func kind(_ body: () throws -> Void) -> HDF5Error.Kind? {
            do {
                try body()
            } catch TensorIOError.hdf5(let error) {
                return error.kind
            } catch {
                Issue.record("unexpected \(error)")
            }
            return nil
        }
        #expect(kind { _ = try TensorSource(file: Fixtures.file, dataset: "/nope") } == .objectNotFound)
        #expect(kind { _ = try TensorSource(file: "/no/such/file.h5", dataset: "/x") } == .fileNotFound)
        #expect(
            kind { _ = try TensorSource(file: Fixtures.file, dataset: "/unsupported/strings") }
                == .unsupportedType("string"))
        #expect(throws: TensorIOError.self) {
            _ = try TensorSource(glob: Fixtures.directory.appendingPathComponent("none_*.h5").path, dataset: "x")
        }
        #expect(throws: TensorIOError.self) { _ = try TensorSource(files: [], dataset: "x") }
        #expect(throws: TensorIOError.self) {
            _ = try TensorSource(file: Fixtures.file, dataset: "/stats/rows", batch: .rows(0))
        }
        #expect(throws: TensorIOError.self) {
            _ = try TensorSource(files: [Fixtures.shards[0], Fixtures.file], dataset: "/stats/rows")
        }
    }

    @Test func shardsWithOtherRowShapesAreRefused() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "ptqkit-tio")
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = ["a.h5", "b.h5"].map { directory.appendingPathComponent($0).path }
        for (path, width) in zip(paths, [3, 4]) {
            let file = try File(path, mode: .truncate)
            _ = try file.createDataset("x", type: .float32, shape: [2, width])
        }
        #expect {
            _ = try TensorSource(files: paths, dataset: "x")
        } throws: { error in
            guard case TensorIOError.shapeMismatch(let file, _, let expected, let found) = error else { return false }
            return file == paths[1] && expected == [3] && found == [4]
        }
    }
}
