import Foundation
import HDF5
import TensorIO
import TestSupport
import Testing

/// The parallel pipeline against the serial stream: same rows, same values, any thread count; errors from
/// the reader or from a worker stop the run and come back out.
@Suite struct BatchPipelineTests {
    /// Per-worker state: the sum of every row seen (by global row index within its source), min and max,
    /// and the batch sequence numbers seen.
    struct Partial: Sendable {
        var rowSums: [Int: Double] = [:]
        var low: Float = .infinity
        var high: Float = -.infinity
        var sequences: [Int] = []

        mutating func add(source: Int, _ batch: TensorBatch) {
            let width = batch.rowElementCount
            for (offset, row) in batch.rows.enumerated() {
                var sum = 0.0
                for value in batch.values[(offset * width)..<((offset + 1) * width)] {
                    sum += Double(value)
                    low = min(low, value)
                    high = max(high, value)
                }
                rowSums[source << 32 | row] = sum
            }
        }

        /// Exact merge: disjoint row sets, min and max.
        mutating func merge(_ other: Partial) {
            rowSums.merge(other.rowSums) { _, _ in .nan }
            low = min(low, other.low)
            high = max(high, other.high)
            sequences += other.sequences
        }
    }

    struct Injected: Error, Equatable {
        var worker: Int
    }

    /// Two datasets written once per test process: [1000, 13] in chunks of 32 rows and [77, 5] contiguous.
    static let file: String = {
        do {
            let path = try Fixtures.temporaryDirectory().appendingPathComponent("pipeline.h5").path
            let file = try File(path, mode: .truncate)
            let big = try file.createDataset(
                "big", type: .float32, shape: [1000, 13], options: DatasetOptions(chunkShape: [32, 13]))
            try big.write((0..<13000).map { Float(($0 * 7919) % 4001) / 16 - 125 })
            let small = try file.createDataset("small", type: .float32, shape: [77, 5])
            try small.write((0..<385).map { Float($0 % 97) * -0.5 })
            return path
        } catch {
            fatalError("cannot write the pipeline fixture: \(error)")
        }
    }()

    private func sources(batchRows: Int) throws -> [TensorSource] {
        try ["big", "small"].map { try TensorSource(file: Self.file, dataset: $0, batch: .rows(batchRows)) }
    }

    private func serial(_ sources: [TensorSource]) throws -> (Partial, batches: Int) {
        var whole = Partial()
        var batches = 0
        for (index, source) in sources.enumerated() {
            try source.forEachBatch { batch in
                whole.add(source: index, batch)
                batches += 1
            }
        }
        return (whole, batches)
    }

    @Test(arguments: [1, 2, 3, 8], [1, 7, 32, 100, 1000])
    func parallelEqualsSerial(workers: Int, batchRows: Int) throws {
        let sources = try sources(batchRows: batchRows)
        let (expected, batchCount) = try serial(sources)
        for depth in [1, 2, workers + 2] {
            let pipeline = BatchPipeline(workers: workers, depth: depth)
            let parts = try pipeline.run(sources, makeState: { _ in Partial() }) { state, item in
                state.add(source: item.source, item.batch)
                state.sequences.append(item.sequence)
            }
            #expect(parts.count == workers)
            var merged = Partial()
            for part in parts { merged.merge(part) }
            #expect(merged.rowSums == expected.rowSums)
            #expect(merged.rowSums.count == 1077)
            #expect(merged.low == expected.low && merged.high == expected.high)
            #expect(merged.sequences.sorted() == Array(0..<batchCount))
        }
    }

    @Test func statesComeBackInWorkerOrder() throws {
        let pipeline = BatchPipeline(workers: 3)
        let states = try pipeline.run(try sources(batchRows: 50), makeState: { [$0] }) { _, _ in }
        #expect(states == [[0], [1], [2]])
    }

    @Test(arguments: [1, 2, 8])
    func aReadErrorStopsTheRunAndIsRethrown(workers: Int) throws {
        // Three shards; the last one disappears after the source checked it: the reader fails mid-stream.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var copies: [String] = []
        for (index, shard) in Fixtures.shards.enumerated() {
            let copy = directory.appendingPathComponent("shard_\(index).h5").path
            try FileManager.default.copyItem(atPath: shard, toPath: copy)
            copies.append(copy)
        }
        let source = try TensorSource(files: copies, dataset: "x", batch: .rows(2))
        try FileManager.default.removeItem(atPath: copies[2])
        let pipeline = BatchPipeline(workers: workers, depth: 2)
        let error = #expect(throws: TensorIOError.self) {
            _ = try pipeline.run([source], makeState: { _ in 0 }) { count, _ in count += 1 }
        }
        guard case .hdf5(let hdf5)? = error else {
            Issue.record("expected an HDF5 error, got \(String(describing: error))")
            return
        }
        #expect(hdf5.kind == .fileNotFound)
        #expect(hdf5.file == copies[2])
    }

    @Test(arguments: [1, 2, 3, 8])
    func aWorkerErrorStopsTheRunAndIsRethrown(workers: Int) throws {
        let pipeline = BatchPipeline(workers: workers, depth: 2)
        let error = #expect(throws: Injected.self) {
            _ = try pipeline.run(try sources(batchRows: 10), makeState: { $0 }) { worker, item in
                if item.batch.rows.contains(500) { throw Injected(worker: worker) }
            }
        }
        #expect(error.map { (0..<workers).contains($0.worker) } == true)
    }

    @Test func aStateFactoryErrorIsRethrownBeforeAnyRead() throws {
        let pipeline = BatchPipeline(workers: 2)
        #expect(throws: Injected(worker: 1)) {
            _ = try pipeline.run(
                try sources(batchRows: 10),
                makeState: { worker -> Int in
                    if worker == 1 { throw Injected(worker: 1) }
                    return worker
                }
            ) { _, _ in }
        }
    }

    @Test func repeatedRunsWithRandomFailuresNeverHang() throws {
        let sources = try sources(batchRows: 9)
        let (expected, _) = try serial(sources)
        var generator = SystemRandomNumberGenerator()
        for run in 0..<150 {
            let workers = Int.random(in: 1...6, using: &generator)
            let pipeline = BatchPipeline(workers: workers, depth: Int.random(in: 1...(workers + 3), using: &generator))
            // A third of the runs fail at a random batch.
            let failAt = run % 3 == 0 ? Int.random(in: 0..<120, using: &generator) : -1
            do {
                let parts = try pipeline.run(sources, makeState: { _ in Partial() }) { state, item in
                    if item.sequence == failAt { throw Injected(worker: -1) }
                    state.add(source: item.source, item.batch)
                }
                #expect(failAt < 0)
                var merged = Partial()
                for part in parts { merged.merge(part) }
                #expect(merged.rowSums == expected.rowSums)
            } catch let error as Injected {
                #expect(failAt >= 0 && error.worker == -1)
            }
        }
    }

    @Test func budgetSetsTheBatchSoThatBuffersFit() throws {
        let (pipeline, batchBytes) = BatchPipeline.budgeted(memoryBudget: 4 * 13 * 4 * 32 * 4, workers: 2)
        #expect(pipeline.depth == 4)
        let source = try TensorSource(file: Self.file, dataset: "big", batch: .bytes(batchBytes))
        #expect(pipeline.bufferBytes(for: [source]) <= 4 * 13 * 4 * 32 * 4)
        #expect(source.maxRowsPerBatch == 128)
    }
}
