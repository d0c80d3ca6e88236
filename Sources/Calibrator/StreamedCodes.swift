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
    /// while `body` runs on this thread with the other, handed over through a ``PipelineChannel`` (its items
    /// are code counts). An error on either side stops both; the reader's error is thrown unless `body` threw
    /// first.
    private func forEachBlockReadingAhead(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        let buffers = CodeBuffers(count: 2, capacity: blocks.rowsPerBlock * blocks.rowElementCount)
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

/// The code buffers of a read-ahead, owned by one thread at a time as ``PipelineChannel`` hands their indices
/// over (its lock orders a buffer's writes before its reads).
///
/// `@unchecked Sendable`: `buffers` is never changed after `init`; each buffer's memory is touched by the
/// thread that holds its index.
private final class CodeBuffers: @unchecked Sendable {
    /// The buffers (allocated here, freed in `deinit`).
    let buffers: [UnsafeMutableBufferPointer<Int32>]

    init(count: Int, capacity: Int) {
        buffers = (0..<count).map { _ in
            let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }
}
