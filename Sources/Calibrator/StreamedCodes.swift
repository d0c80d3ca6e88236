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

    /// The codes of rows `rows` (values `values`) into the first `values.count` elements of `codes`.
    private func quantize(
        _ rows: Range<Int>, _ values: UnsafeBufferPointer<Float>, into codes: UnsafeMutableBufferPointer<Int32>
    ) throws {
        try parameters.rows(rows).quantize(values, into: UnsafeMutableBufferPointer(rebasing: codes[0..<values.count]))
    }

    /// ``forEachBlock(_:)`` with the reading and quantizing on a second thread: it fills one of two buffers
    /// while `body` runs on this thread with the other. An error on either side stops both; the reader's
    /// error is thrown unless `body` threw first.
    private func forEachBlockReadingAhead(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        let relay = CodeRelay(capacity: blocks.rowsPerBlock * blocks.rowElementCount)
        let reading = DispatchGroup()
        let codes = self
        DispatchQueue.global().async(group: reading) {
            do {
                try codes.blocks.forEachBlock { rows, values in
                    guard let slot = relay.emptySlot() else { throw CancellationError() }
                    try codes.quantize(rows, values, into: relay.buffers[slot])
                    relay.fill(slot, count: values.count)
                }
                relay.finish(nil)
            } catch {
                relay.finish(error)
            }
        }
        // Joins the reader on every exit.
        defer {
            relay.cancel()
            reading.wait()
        }
        while let (slot, count) = try relay.filledSlot() {
            try body(UnsafeBufferPointer(rebasing: relay.buffers[slot][0..<count]))
            relay.release(slot)
        }
    }
}

/// Two code buffers passed between the reading thread (fills) and the storing thread (consumes), in order.
///
/// `@unchecked Sendable`: the bookkeeping is read and written only while holding `condition`'s lock; a
/// buffer's memory is touched by one thread at a time (the reader between ``emptySlot()`` and
/// ``fill(_:count:)``, the consumer between ``filledSlot()`` and ``release(_:)``).
private final class CodeRelay: @unchecked Sendable {
    /// The two buffers (allocated here, freed in `deinit`; the array itself is never changed).
    let buffers: [UnsafeMutableBufferPointer<Int32>]
    private let condition = NSCondition()
    private var free = [0, 1]
    private var filled: [(slot: Int, count: Int)] = []
    private var done = false
    private var failure: (any Error)?
    private var cancelled = false

    init(capacity: Int) {
        buffers = (0..<2).map { _ in
            let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// A buffer to fill, waiting for one; `nil` once the consumer stopped.
    func emptySlot() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        return cancelled ? nil : free.removeFirst()
    }

    /// Hands buffer `slot`, holding `count` codes, to the consumer.
    func fill(_ slot: Int, count: Int) {
        condition.lock()
        filled.append((slot, count))
        condition.broadcast()
        condition.unlock()
    }

    /// The reader is done (with `error` when it failed).
    func finish(_ error: (any Error)?) {
        condition.lock()
        done = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next filled buffer and its count, waiting for it; `nil` when the reader finished.
    /// - Throws: the reader's error.
    func filledSlot() throws -> (Int, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while filled.isEmpty && !done { condition.wait() }
        if !filled.isEmpty { return filled.removeFirst() }
        if let failure { throw failure }
        return nil
    }

    /// Gives buffer `slot` back to the reader.
    func release(_ slot: Int) {
        condition.lock()
        free.append(slot)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the reader at its next block.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
