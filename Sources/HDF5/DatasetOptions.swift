/// How a new dataset is stored: chunking, compression and growth.
///
/// Invariant (checked at creation): a chunk shape has the dataset's rank and positive entries; compression
/// and growth require chunking (a default chunk shape is chosen when none is given).
public struct DatasetOptions: Sendable, Hashable {
    /// Chunk shape; `nil` stores the dataset contiguously unless compression or growth needs chunks.
    public var chunkShape: [Int]?
    /// Deflate (gzip) level 0...9, or `nil` for no compression.
    public var deflateLevel: Int?
    /// Whether to add the byte-shuffle filter before deflate (helps compression of multi-byte types).
    public var shuffle: Bool
    /// Whether the first axis may grow later with ``Dataset/extend(toRows:)`` (maximum extent unlimited).
    public var growable: Bool
    /// Whether the dataset's storage is allocated when it is created (`H5D_ALLOC_TIME_EARLY`) and never
    /// filled (`H5D_FILL_TIME_NEVER`): libhdf5 writes none of its bytes unless asked to (`H5Dwrite`), and
    /// bytes nothing wrote read as zeros (a fresh file's hole). Required for ``Dataset/directWriter()``.
    /// The allocation time is recorded in the dataset's header, so a file holds the same bytes whether its
    /// contents come through `H5Dwrite` or direct writes only when both create the dataset this way.
    public var allocatesEarly = false

    /// Creates options; the defaults give a contiguous, uncompressed, fixed-size dataset allocated at
    /// its first write.
    public init(chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false, growable: Bool = false) {
        self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
        self.growable = growable
    }

    /// Options of a contiguous, uncompressed, fixed-size dataset whose storage is allocated at creation and
    /// never filled (``allocatesEarly``).
    public static var allocatedEarly: DatasetOptions {
        var options = DatasetOptions()
        options.allocatesEarly = true
        return options
    }

    /// Whether the dataset must be chunked.
    var needsChunks: Bool { chunkShape != nil || deflateLevel != nil || shuffle || growable }

    /// A chunk shape for `shape`: the given one, or rows of about 1 MiB of `elementBytes`-sized elements.
    func resolvedChunkShape(for shape: [Int], elementBytes: Int) -> [Int] {
        if let chunkShape { return chunkShape }
        let rowElements = shape.dropFirst().reduce(1, *)
        let rowBytes = max(1, rowElements * elementBytes)
        let rows = max(1, min(max(shape.first ?? 1, 1), (1 << 20) / rowBytes))
        return [rows] + shape.dropFirst().map { max($0, 1) }
    }
}
