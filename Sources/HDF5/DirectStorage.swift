/// Where a dataset's rows lie in its file as plain stored bytes of the memory type, for readers that map
/// the file instead of calling libhdf5 for every batch (see ``Dataset/directStorage(as:)``).
///
/// Qualifying datasets store every row as `rowElementCount` contiguous elements whose file type equals
/// the memory type (for `Float`: IEEE float32 in the host's byte order, little-endian on x86-64 and arm64):
/// - contiguous layout, allocated, no external files: rows `r` at `address + r·rowBytes`;
/// - chunked, no filter, chunks spanning whole rows: chunk `k` holds rows `k·chunkRows ..< (k+1)·chunkRows`
///   at its own address (``Dataset/storedByteRange(_:storage:)`` looks the chunks up).
/// Files with a user block are not offered (their addresses are relative to the block's end).
public struct DirectStorage: Sendable, Hashable {
    /// How the rows are laid out.
    public enum Layout: Sendable, Hashable {
        /// All rows in one run starting at this file offset (bytes).
        case contiguous(address: Int)
        /// Chunks of this many rows, each stored full-size (`chunkRows × rowBytes`) at its own address.
        case chunked(chunkRows: Int)
    }

    /// The layout.
    public let layout: Layout
    /// Rows of the dataset.
    public let rowCount: Int
    /// Bytes of one row: `rowElementCount × elementBytes`.
    public let rowBytes: Int
    /// Bytes per element (in the file and in memory).
    public let elementBytes: Int
}
