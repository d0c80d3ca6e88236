/// How a chunked dataset's rows can be copied straight out of its stored chunks.
///
/// A dataset qualifies when it is chunked, unfiltered, fully allocated, its chunks span whole rows
/// (every chunk extent but the first equals the dataset's) and its file type is identical to the memory
/// type asked for (for `Float`: IEEE float32 in the host's byte order). Then chunk `k` holds rows
/// `k·chunkRows ..< (k+1)·chunkRows` as contiguous row-major bytes, and a chunk at the end of the dataset
/// is stored full-size with only its first `rowCount − k·chunkRows` rows valid.
public struct RawChunkLayout: Sendable, Hashable {
    /// Rows per chunk (the chunk's first extent).
    public let chunkRows: Int
    /// Elements per row (product of the trailing extents).
    public let rowElementCount: Int
    /// Bytes per element in the file and in memory.
    public let elementBytes: Int

    /// Bytes of one stored chunk: `chunkRows × rowElementCount × elementBytes`.
    public var chunkBytes: Int { chunkRows * rowElementCount * elementBytes }

    /// Creates a layout description (used by ``Dataset/rawChunkLayout(as:)``).
    public init(chunkRows: Int, rowElementCount: Int, elementBytes: Int) {
        self.chunkRows = chunkRows
        self.rowElementCount = rowElementCount
        self.elementBytes = elementBytes
    }

    /// Whether a read of `rows` out of a dataset of `rowCount` rows covers whole chunks: it starts on a
    /// chunk boundary and ends on one or at the end of the dataset.
    public func coversWholeChunks(_ rows: Range<Int>, rowCount: Int) -> Bool {
        chunkRows > 0 && rows.lowerBound % chunkRows == 0
            && (rows.upperBound % chunkRows == 0 || rows.upperBound == rowCount)
    }
}
