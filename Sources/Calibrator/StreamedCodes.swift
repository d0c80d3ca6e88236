internal import Foundation
public import QuantCore
internal import TensorIO

/// The integer codes of a weight calibrated in blocks (``WeightBlocks``), produced block by block when a
/// package writer stores them: the weight is read once more and each block quantized with the chosen
/// parameters (``QuantizationParameters/rows(_:)``), so no copy of the codes is ever whole in memory. The
/// codes are those ``QuantizationParameters/quantize(_:as:)`` gives for the whole tensor.
public struct StreamedCodes: Sendable {
    /// Where the weight's blocks come from.
    public var blocks: WeightBlocks
    /// The chosen parameters (for the whole tensor).
    public var parameters: QuantizationParameters
    /// Whether a second thread reads and quantizes the next block while the caller's body stores the
    /// current one (two blocks of codes in flight; the same codes in the same order). Set by the
    /// calibrator when it runs with more than one thread and libhdf5 is thread-safe.
    public var readAhead = false
    /// How many threads ``forEachBlockConcurrently(_:)`` reads, quantizes and hands over blocks on (at
    /// least 1). Set by the calibrator to its thread count when that is more than one and libhdf5 is
    /// thread-safe; 1 means callers use ``forEachBlock(_:)``.
    public var workers = 1

    /// The most codes one block holds (every block but the last holds exactly this many).
    public var maxBlockCodes: Int { blocks.rowsPerBlock * blocks.rowElementCount }

    /// Calls `body` with the codes of each block, in row order: together `shape.reduce(1, *)` codes, every
    /// block but the last a multiple of 4.
    ///
    /// - Throws: `HDF5Error` when the weight cannot be read again, another error from the reading or
    ///   quantizing (``CalibrationError``), or what `body` throws.
    public func forEachBlock(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        do {
            if readAhead {
                try forEachBlockReadingAhead(body)
                return
            }
            var codes = [Int32](repeating: 0, count: blocks.rowsPerBlock * blocks.rowElementCount)
            try codes.withUnsafeMutableBufferPointer { buffer in
                try blocks.forEachBlock { rows, values in
                    try quantize(rows, values, into: buffer)
                    try body(UnsafeBufferPointer(rebasing: buffer[0..<values.count]))
                }
            }
        } catch let TensorIOError.hdf5(error) {
            throw error
        }
    }

    /// Calls `body` with the codes of every block on up to ``workers`` threads at once (this thread and
    /// ``workers`` − 1 others): each worker takes the next block by index, reads it (its own open of the
    /// weights file; libhdf5 serializes its calls, mapped rows need none), quantizes it into its own buffer
    /// and calls `body` with its worker index (`0..<workers`), the index of the block's first code in the
    /// row-major tensor and the codes (valid only during the call). Blocks come in no particular order,
    /// each exactly once; every block's first code is a multiple of 4 (``WeightBlocks/rowsPerBlock`` is),
    /// so packed 4- and 2-bit bytes never straddle two blocks. The codes are those ``forEachBlock(_:)``
    /// gives. Memory: one block of values and one of codes per worker.
    ///
    /// After a failure no worker takes another block; the workers are joined before this returns, and the
    /// first failure recorded is thrown.
    ///
    /// - Throws: `HDF5Error` when the weight cannot be read again, another error from the reading or
    ///   quantizing (``CalibrationError``, ``TensorIOError``), or what `body` throws.
    public func forEachBlockConcurrently(
        _ body:
            @escaping @Sendable (_ worker: Int, _ firstCode: Int, _ codes: UnsafeBufferPointer<Int32>) throws ->
            Void
    ) throws {
        let board = BlockBoard(count: blocks.blockCount)
        let workerCount = Swift.max(1, Swift.min(workers, blocks.blockCount, BatchPipeline.maximumWorkers))
        let codes = self
        let buffers = ThreadBuffers<Int32>(count: workerCount, capacity: maxBlockCodes)
        let work: @Sendable (Int) -> Void = { worker in
            let buffer = buffers.buffers[worker]
            while let index = board.take() {
                do {
                    try codes.blocks.readBlock(index) { rows, values in
                        try codes.quantize(rows, values, into: buffer)
                        try body(
                            worker, rows.lowerBound * codes.blocks.rowElementCount,
                            UnsafeBufferPointer(rebasing: buffer[0..<values.count]))
                    }
                } catch {
                    board.fail(error)
                }
            }
        }
        let running = DispatchGroup()
        for worker in 1..<workerCount { DispatchQueue.global().async(group: running) { work(worker) } }
        work(0)
        running.wait()
        switch board.failure {
        case TensorIOError.hdf5(let error)?: throw error
        case let error?: throw error
        case nil: return
        }
    }

    /// The codes of rows `rows` (values `values`) into the first `values.count` elements of `codes`.
    private func quantize(
        _ rows: Range<Int>, _ values: UnsafeBufferPointer<Float>, into codes: UnsafeMutableBufferPointer<Int32>
    ) throws {
        try parameters.rows(rows).quantize(values, into: UnsafeMutableBufferPointer(rebasing: codes[0..<values.count]))
    }

    /// ``forEachBlock(_:)`` with the reading and quantizing on a second thread: it fills one of two buffers
    /// while `body` runs on this thread with the other, handed over through a ``PipelineChannel`` (its items
    /// are code counts). An error on either side stops both; the reader's error is thrown unless `body` threw
    /// first.
    private func forEachBlockReadingAhead(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        let buffers = ThreadBuffers<Int32>(count: 2, capacity: maxBlockCodes)
        let channel = PipelineChannel<Int>(buffers: 2, workers: 1)
        let reading = DispatchGroup()
        let codes = self
        DispatchQueue.global().async(group: reading) {
            do {
                try codes.blocks.forEachBlock { rows, values in
                    let slot = try channel.acquireBuffer()
                    try codes.quantize(rows, values, into: buffers.buffers[slot])
                    channel.enqueue(values.count, buffer: slot)
                }
                channel.finishReading()
            } catch {
                channel.fail(error)
            }
        }
        // Joins the reader on every exit (after a failure of `body` is recorded, which stops it).
        defer { reading.wait() }
        do {
            while let (count, slot) = channel.next() {
                try body(UnsafeBufferPointer(rebasing: buffers.buffers[slot][0..<count]))
                channel.releaseBuffer(slot)
            }
        } catch {
            channel.fail(error)
            throw error
        }
        if let failure = channel.failure { throw failure }
    }
}

/// The shared state of one ``StreamedCodes/forEachBlockConcurrently(_:)``: the next block to take and the
/// first failure.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `lock`.
private final class BlockBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private var firstFailure: (any Error)?

    init(count: Int) { self.count = count }

    /// The next block's index, or `nil` when all were taken or a worker failed.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard firstFailure == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    /// Records `error` unless a failure was recorded before; no block is taken after it.
    func fail(_ error: any Error) {
        lock.lock()
        if firstFailure == nil { firstFailure = error }
        lock.unlock()
    }

    /// The first failure, if any.
    var failure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return firstFailure
    }
}
