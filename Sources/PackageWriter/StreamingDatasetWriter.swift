import HDF5

/// Writes a new dataset's elements as they come, in row-major order, holding at most about ``flushBytes``
/// of them (plus one incoming block): whenever that much is buffered, the whole rows of chunks in the
/// buffer are written (chunk-aligned, so each compressed chunk is written once, complete), and the rest
/// at ``finish()``. A dataset given in one piece smaller than ``flushBytes`` is written by one `H5Dwrite`,
/// as ``Dataset/write(_:startingAt:)`` writes it.
struct StreamingDatasetWriter<T: HDF5Element>: ~Copyable {
    /// Bytes buffered before whole chunks are written out.
    static var flushBytes: Int { 4 << 20 }

    private let dataset: Dataset
    /// Elements the dataset holds.
    private let total: Int
    /// Elements written so far (whole rows).
    private var written = 0
    private var buffer: [T] = []
    /// Elements of one row of chunks, once known (found at the first flush).
    private var chunkElements: Int?

    /// A writer filling `dataset` (all of it, from row 0).
    init(_ dataset: consuming Dataset) {
        total = dataset.shape.reduce(1, *)
        self.dataset = dataset
    }

    /// Appends the next elements; writes whole rows of chunks once ``flushBytes`` are buffered.
    mutating func append(_ values: UnsafeBufferPointer<T>) throws(HDF5Error) {
        buffer.append(contentsOf: values)
        guard buffer.count * MemoryLayout<T>.stride >= Self.flushBytes else { return }
        let unit = try rowOfChunks()
        let n = buffer.count / unit * unit
        guard n > 0 else { return }
        try write(n)
    }

    /// Writes what is buffered.
    /// - Throws: `HDF5Error` (`.invalidArgument`) when the elements appended are not as many as the dataset holds.
    consuming func finish() throws(HDF5Error) {
        guard written + buffer.count == total else {
            throw HDF5Error(
                kind: .invalidArgument("\(written + buffer.count) elements for \(total)"), file: dataset.filePath,
                object: dataset.objectPath, operation: "write")
        }
        if !buffer.isEmpty { try write(buffer.count) }
    }

    /// Writes the first `n` buffered elements (whole rows) after those written, and drops them.
    private mutating func write(_ n: Int) throws(HDF5Error) {
        let perRow = Swift.max(dataset.rowElementCount, 1)
        try buffer.withUnsafeBufferPointer { (all) throws(HDF5Error) in
            try dataset.writeRows(startingAt: written / perRow, from: UnsafeBufferPointer(rebasing: all[0..<n]))
        }
        written += n
        buffer.removeFirst(n)
    }

    /// Elements of one row of chunks (chunk rows × elements per row; one row when not chunked).
    private mutating func rowOfChunks() throws(HDF5Error) -> Int {
        if let chunkElements { return chunkElements }
        let rows = try dataset.info().chunkShape?.first ?? 1
        let elements = Swift.max(1, rows * dataset.rowElementCount)
        chunkElements = elements
        return elements
    }
}
