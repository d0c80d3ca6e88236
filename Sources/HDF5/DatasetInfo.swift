/// How a dataset's elements are stored in the file.
public enum StorageKind: String, Sendable, Hashable {
    /// In the object header (tiny datasets).
    case compact
    /// One contiguous block.
    case contiguous
    /// Fixed-shape chunks, possibly filtered (compressed).
    case chunked
    /// A virtual dataset mapping other datasets.
    case virtual
    /// A layout libhdf5 reported but PTQKit does not name.
    case unknown
}

/// A filter in a chunked dataset's pipeline.
public enum Filter: Sendable, Hashable, CustomStringConvertible {
    /// zlib deflate (h5py's `compression="gzip"`) at a level 0...9.
    case deflate(level: Int)
    /// Byte shuffle.
    case shuffle
    /// Fletcher-32 checksum.
    case fletcher32
    /// SZIP compression.
    case szip
    /// N-bit packing.
    case nbit
    /// Scale-offset packing.
    case scaleOffset
    /// Any other (plugin) filter, by HDF5 filter id and the name stored with it (for example 32000 `lzf`).
    case other(id: Int, name: String)

    /// `gzip(4)`, `shuffle`, `lzf(32000)`, ...
    public var description: String {
        switch self {
        case .deflate(let level): "gzip(\(level))"
        case .shuffle: "shuffle"
        case .fletcher32: "fletcher32"
        case .szip: "szip"
        case .nbit: "nbit"
        case .scaleOffset: "scaleoffset"
        case .other(let id, let name): "\(name.isEmpty ? "filter" : name)(\(id))"
        }
    }

    /// Whether this filter changes the stored bytes in a way that needs decoding (not a checksum/shuffle).
    public var isCompression: Bool {
        switch self {
        case .shuffle, .fletcher32: false
        default: true
        }
    }

    init(_ raw: RawFilter) {
        // Ids from H5Zpublic.h: 1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit, 6 scaleoffset.
        switch raw.id {
        case 1: self = .deflate(level: Int(raw.parameters.first ?? 0))
        case 2: self = .shuffle
        case 3: self = .fletcher32
        case 4: self = .szip
        case 5: self = .nbit
        case 6: self = .scaleOffset
        default: self = .other(id: Int(raw.id), name: raw.name)
        }
    }
}

/// Everything PTQKit reports about a dataset without reading its data.
public struct DatasetInfo: Sendable, Hashable {
    /// Absolute path inside the file.
    public var path: String
    /// Current extent, outermost axis first (`[]` for a scalar dataset).
    public var shape: [Int]
    /// Maximum extent per axis; `nil` means unlimited.
    public var maxShape: [Int?]
    /// Element type in the file.
    public var elementType: ElementType
    /// Storage layout.
    public var storage: StorageKind
    /// Chunk shape, for chunked datasets.
    public var chunkShape: [Int]?
    /// Filter pipeline, in application order (empty when unfiltered).
    public var filters: [Filter]
    /// Bytes allocated in the file for the data (after compression).
    public var storageBytes: Int
    /// Size of one element in the file, in bytes.
    public var elementBytes: Int

    /// Number of elements: the product of ``shape`` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Uncompressed size of the data in bytes: ``elementCount`` × ``elementBytes``.
    public var logicalBytes: Int { elementCount * elementBytes }

    /// Creates a description.
    public init(
        path: String, shape: [Int], maxShape: [Int?], elementType: ElementType, storage: StorageKind,
        chunkShape: [Int]?, filters: [Filter], storageBytes: Int, elementBytes: Int
    ) {
        self.path = path
        self.shape = shape
        self.maxShape = maxShape
        self.elementType = elementType
        self.storage = storage
        self.chunkShape = chunkShape
        self.filters = filters
        self.storageBytes = storageBytes
        self.elementBytes = elementBytes
    }
}
