internal import HDF5
internal import QuantCore
public import TensorIO

/// A weight tensor read in consecutive blocks of whole rows (indices along axis 0) instead of whole: the
/// memory a pass over it takes is one block, whatever the tensor's size.
///
/// Blocks hold ``rowsPerBlock`` rows each (the last one may hold fewer), read through ``TensorSource``
/// (mapped, raw chunks or hyperslabs; the same values as a whole read). ``rowsPerBlock`` is a multiple
/// of 4, so every block but the last holds a multiple of 4 elements (``ErrorMetrics/Stream`` and packed
/// 4- and 2-bit codes need that), and for groups along axis 0 a multiple of the group size, so no group
/// spans two blocks.
public struct WeightBlocks: Sendable, Hashable {
    /// The weights file.
    public var file: String
    /// The dataset's path in it.
    public var dataset: String
    /// The tensor's shape (rank ≥ 1).
    public var shape: [Int]
    /// Rows per block (all blocks but the last).
    public var rowsPerBlock: Int

    /// Elements per row: the product of the shape after axis 0.
    public var rowElementCount: Int { shape.dropFirst().reduce(1, *) }

    /// Blocks of about `blockBytes` bytes of Float32 (at least `unit` rows, `unit` = 4, or the least
    /// common multiple of 4 and the group size for groups along axis 0) for a tensor of `shape` with
    /// `granularity`; `nil` for a scalar.
    init?(file: String, dataset: String, shape: [Int], granularity: Granularity, blockBytes: Int) {
        guard let rows = shape.first, rows > 0 else { return nil }
        var unit = 4
        if case .perGroup(let axis, let size) = granularity, axis == 0 || axis == -shape.count, size > 0 {
            unit = Self.leastCommonMultiple(unit, size)
        }
        let rowBytes = Swift.max(1, shape.dropFirst().reduce(1, *) * MemoryLayout<Float>.stride)
        let fitting = blockBytes / rowBytes
        self.file = file
        self.dataset = dataset
        self.shape = shape
        rowsPerBlock = Swift.max(unit, fitting / unit * unit)
    }

    /// Bytes of Float32 in one block (the most any block holds).
    public var blockBytes: Int { rowsPerBlock * rowElementCount * MemoryLayout<Float>.stride }

    /// Calls `body` with each block in order: its rows (along axis 0) and its values (row-major, valid only
    /// during the call).
    ///
    /// - Throws: ``TensorIOError`` for read failures, or what `body` throws.
    public func forEachBlock(_ body: (Range<Int>, UnsafeBufferPointer<Float>) throws -> Void) throws {
        let source = try TensorSource(file: file, dataset: dataset, batch: .rows(rowsPerBlock))
        try source.forEachBatch { batch in try body(batch.rows, batch.values) }
    }

    /// The number of blocks (at least 1).
    public var blockCount: Int {
        let rows = shape.first ?? 0
        return Swift.max(1, (rows + rowsPerBlock - 1) / rowsPerBlock)
    }

    /// The rows (along axis 0) of block `index` (`0..<blockCount`).
    public func rows(ofBlock index: Int) -> Range<Int> {
        let rows = shape.first ?? 0
        let start = Swift.min(index * rowsPerBlock, rows)
        return start..<Swift.min(start + rowsPerBlock, rows)
    }

    /// Calls `body` with block `index` alone: its rows and values (valid only during the call), the same
    /// as ``forEachBlock(_:)`` gives for it. Each call opens the file again, so several threads may read
    /// different blocks at once (libhdf5 serializes its own calls; mapped rows are read without it).
    ///
    /// - Throws: ``TensorIOError`` for read failures, or what `body` throws.
    public func readBlock(_ index: Int, _ body: (Range<Int>, UnsafeBufferPointer<Float>) throws -> Void) throws {
        let rows = rows(ofBlock: index)
        guard !rows.isEmpty else { return }
        let source = try TensorSource(segments: [(file, rows)], dataset: dataset, batch: .rows(rowsPerBlock))
        try source.forEachBatch { batch in
            try body(batch.rows.lowerBound + rows.lowerBound..<batch.rows.upperBound + rows.lowerBound, batch.values)
        }
    }

    static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
