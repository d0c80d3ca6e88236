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

    /// Calls `body` with the codes of each block, in row order: together `shape.reduce(1, *)` codes, every
    /// block but the last a multiple of 4.
    ///
    /// - Throws: `HDF5Error` when the weight cannot be read again, another error from the reading or
    ///   quantizing (``CalibrationError``), or what `body` throws.
    public func forEachBlock(_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        let capacity = blocks.rowsPerBlock * blocks.rowElementCount
        var codes = [Int32](repeating: 0, count: capacity)
        do {
            try blocks.forEachBlock { rows, values in
                let p = try parameters.rows(rows)
                try codes.withUnsafeMutableBufferPointer { buffer in
                    let block = UnsafeMutableBufferPointer(rebasing: buffer[0..<values.count])
                    try p.quantize(values, into: block)
                    try body(UnsafeBufferPointer(block))
                }
            }
        } catch let TensorIOError.hdf5(error) {
            throw error
        }
    }
}
