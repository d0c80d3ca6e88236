import Foundation
import HDF5
import QuantCore
import TensorIO
import TestSupport
import Testing

@testable import Calibrator

/// ``StreamedCodes/forEachBlockConcurrently(_:)``: every block exactly once, with the codes
/// ``StreamedCodes/forEachBlock(_:)`` gives, each starting on a multiple of 4 codes; a read failure in a
/// worker ends in the error, not a crash or a hang.
@Suite struct StreamedCodesTests {
    /// A weights file with `/w` of `shape`, and the streamed codes of it (per channel along axis 0, int8,
    /// blocks of 8 rows).
    static func codes(in directory: URL, shape: [Int] = [101, 13], workers: Int) throws -> StreamedCodes {
        let path = directory.appendingPathComponent("w.h5").path
        if !FileManager.default.fileExists(atPath: path) {
            let file = try File(path, mode: .truncate)
            let count = shape.reduce(1, *)
            try file.createDataset("/w", type: .float32, shape: shape).write(
                (0..<count).map { Float(($0 &* 7919) % 2001 - 1000) / 100 })
        }
        let layout = try ParameterLayout(granularity: .perChannel(axis: 0), shape: shape)
        let parameters = try QuantizationParameters(
            format: try IntegerFormat(bits: 8, signed: true), layout: layout,
            scales: (0..<shape[0]).map { 0.01 + Float($0) / 1000 }, zeroPoints: [Int32](repeating: 0, count: shape[0]))
        let blocks = try #require(
            WeightBlocks(
                file: path, dataset: "/w", shape: shape, granularity: .perChannel(axis: 0),
                blockBytes: 8 * shape[1] * 4))
        #expect(blocks.rowsPerBlock == 8)
        return StreamedCodes(blocks: blocks, parameters: parameters, workers: workers)
    }

    @Test(arguments: [1, 2, 3, 8])
    func concurrentBlocksAreTheSerialCodes(workers: Int) throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "streamed-codes")
        defer { try? FileManager.default.removeItem(at: directory) }
        let codes = try Self.codes(in: directory, workers: workers)
        var serial: [Int32] = []
        try codes.forEachBlock { serial += $0 }
        let gathered = Gathered(count: serial.count)
        try codes.forEachBlockConcurrently { worker, first, block in
            gathered.add(worker: worker, first: first, Array(block))
        }
        #expect(gathered.codes == serial)
        #expect(gathered.starts.sorted() == Array(stride(from: 0, to: serial.count, by: 8 * 13)))
        #expect(gathered.starts.allSatisfy { $0 % 4 == 0 })
        #expect(gathered.workers.allSatisfy { (0..<max(workers, 1)).contains($0) })
    }

    /// A weights file truncated after calibration: the workers' reads fail, the first failure is thrown
    /// once every worker stopped.
    @Test(arguments: [2, 8])
    func aDamagedSourceEndsInTheReadError(workers: Int) throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "streamed-codes-damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let codes = try Self.codes(in: directory, shape: [400, 64], workers: workers)
        let path = directory.appendingPathComponent("w.h5").path
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 3)) == 0)
        let gathered = Gathered(count: 400 * 64)
        #expect(throws: (any Error).self) {
            try codes.forEachBlockConcurrently { worker, first, block in
                gathered.add(worker: worker, first: first, Array(block))
            }
        }
    }

    /// The workers of a streamed weight's codes: the thread count, bounded so that about 3 blocks per worker
    /// fit the weight memory budget; 1 on one thread.
    @Test func codeWorkersKeepTheBlocksInFlightWithinTheBudget() throws {
        let blocks = try #require(
            WeightBlocks(
                file: "w.h5", dataset: "/w", shape: [4096, 256], granularity: .perTensor, blockBytes: 64 * 1024))
        let block = blocks.blockBytes
        #expect(Calibrator.codeWorkers(threads: 1, blocks: blocks, memoryBudget: nil) == 1)
        if HDF5Library.isThreadSafe {
            #expect(Calibrator.codeWorkers(threads: 8, blocks: blocks, memoryBudget: 1 << 30) == 8)
            #expect(Calibrator.codeWorkers(threads: 8, blocks: blocks, memoryBudget: 8 * block) == 2)
            #expect(Calibrator.codeWorkers(threads: 8, blocks: blocks, memoryBudget: 12 * block) == 4)
        }
    }

    /// An error thrown by the body stops the workers and is the one thrown.
    @Test func anErrorOfTheBodyIsThrown() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "streamed-codes-body")
        defer { try? FileManager.default.removeItem(at: directory) }
        let codes = try Self.codes(in: directory, workers: 2)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try codes.forEachBlockConcurrently { _, first, _ in if first > 0 { throw Stop() } }
        }
    }
}

/// The codes of concurrent blocks, placed by their first code.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `lock`.
private final class Gathered: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32]
    private var firsts: [Int] = []
    private var seen: Set<Int> = []

    init(count: Int) { values = [Int32](repeating: -999, count: count) }

    func add(worker: Int, first: Int, _ block: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        values.replaceSubrange(first..<(first + block.count), with: block)
        firsts.append(first)
        seen.insert(worker)
    }

    var codes: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    var starts: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return firsts
    }

    var workers: Set<Int> {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}
