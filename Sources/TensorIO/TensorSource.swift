import HDF5

/// A stream of row batches (slices along the first axis) of one dataset, read from one HDF5 file, a list
/// of shard files, or the files matching a glob pattern, converted to Float32.
///
/// All shards must hold the dataset with the same trailing dimensions; batches never span two shards
/// (the last batch of each shard may be short). Every row is delivered exactly once, in order.
///
/// Memory is bounded by the batch, never by the dataset: one buffer of at most ``maxRowsPerBatch`` rows
/// of Float32 is allocated per ``forEachBatch(_:)`` call and reused; libhdf5 adds its type-conversion
/// buffer (1 MiB) and, when batches are not chunk-aligned, a chunk cache holding one row of chunks
/// (capped at ``maxChunkCacheBytes``). Chunk-aligned batches of unfiltered native float32 data are
/// copied straight from the stored chunks (``ReadPath/rawChunks``, about 2.5× faster than a hyperslab
/// read); a partial chunk at the end may take one more chunk of scratch memory. Rows of uncompressed
/// native float32 data lying in one run of the file are not copied at all: the batch points into a
/// read-only mapping of just those bytes (``ReadPath/mapped``), unmapped when the batch is released, so
/// resident memory stays bounded by the batches in flight.
///
/// ```swift
/// let source = try TensorSource(glob: "acts/shard_*.h5", dataset: "/fc1/input", batch: .bytes(8 << 20))
/// var stats = TensorStatistics()
/// try source.forEachBatch { batch in stats.accumulate(batch.values) }
/// ```
public struct TensorSource: Sendable {
    /// How large a batch is.
    public enum BatchSize: Sendable, Hashable {
        /// Exactly this many rows per batch (fewer at the end of a shard).
        case rows(Int)
        /// As many whole rows as fit in this many bytes of Float32 (at least one row), rounded down to a
        /// multiple of the dataset's chunk rows when at least one chunk fits, so reads are chunk-aligned.
        case bytes(Int)
    }

    /// How a batch was read.
    public enum ReadPath: Sendable, Hashable {
        /// No copy: the batch's values point into a read-only mapping of the file (``allowsMapping``):
        /// uncompressed native float32 rows lying in one run of the file (contiguous datasets, or chunked
        /// ones whose chunks follow each other), 4-byte aligned. No libhdf5 call touches the data, so
        /// several workers can consume mapped batches in parallel.
        case mapped
        /// Whole stored chunks copied as-is (`H5Dread_chunk`): chunked, unfiltered, native float32 data.
        case rawChunks
        /// A hyperslab selection through libhdf5's type conversion and chunk cache (`H5Dread`).
        case hyperslab
    }

    /// One file of the source.
    public struct Shard: Sendable, Hashable {
        /// Path of the file.
        public var file: String
        /// Rows of the dataset this shard delivers from the file (all of them unless a row range was given).
        public var rows: Int
        /// The file row this shard starts at (0 unless a row range was given).
        public var firstRow: Int = 0
        /// Rows per chunk, for chunked datasets.
        public var chunkRows: Int?
        /// Bytes of one row of chunks in the file (`chunkRows × rowElementCount × element size`).
        public var chunkRowBytes: Int?
    }

    /// The upper bound of the chunk cache a stream sets for batches that are not chunk-aligned.
    public static let maxChunkCacheBytes = 64 << 20

    /// Path of the dataset inside every shard.
    public let dataset: String
    /// The shards, in order.
    public let shards: [Shard]
    /// The trailing dimensions of the dataset (the shape of one row).
    public let rowShape: [Int]
    /// The requested batch size.
    public let batchSize: BatchSize
    /// Whether batches may be read as raw chunks when the dataset allows it (see ``ReadPath``); `false`
    /// forces the hyperslab path. Both give identical values.
    public var allowsRawChunks = true
    /// Whether batches may be handed out as views of a read-only file mapping when the dataset allows it
    /// (see ``ReadPath/mapped``); `false` makes every batch a copy in the reader's buffer. Identical values.
    public var allowsMapping = true

    /// Elements per row: the product of ``rowShape``.
    public var rowElementCount: Int { rowShape.reduce(1, *) }

    /// Rows across all shards.
    public var rowCount: Int { shards.reduce(0) { $0 + $1.rows } }

    /// A source over one file.
    public init(file: String, dataset: String, batch: BatchSize = .bytes(8 << 20)) throws(TensorIOError) {
        try self.init(files: [file], dataset: dataset, batch: batch)
    }

    /// A source over the files matching `pattern` (sorted by path).
    public init(glob pattern: String, dataset: String, batch: BatchSize = .bytes(8 << 20)) throws(TensorIOError) {
        let files = ShardGlob.paths(matching: pattern)
        guard !files.isEmpty else { throw .noFilesMatch(pattern: pattern) }
        try self.init(files: files, dataset: dataset, batch: batch)
    }

    /// A source over `files`, in the order given. Each file is opened once here to check the dataset.
    public init(files: [String], dataset: String, batch: BatchSize = .bytes(8 << 20)) throws(TensorIOError) {
        try self.init(segments: files.map { ($0, nil) }, dataset: dataset, batch: batch)
    }

    /// A source over row ranges of files, in the order given: each segment delivers `rows` of the
    /// dataset in `file` (all rows when `nil`). Each file is opened once here to check the dataset.
    ///
    /// - Throws: ``TensorIOError/shapeMismatch(file:dataset:expected:found:)`` when a range does not lie
    ///   within the file's rows.
    public init(
        segments: [(file: String, rows: Range<Int>?)], dataset: String, batch: BatchSize = .bytes(8 << 20)
    ) throws(TensorIOError) {
        guard !segments.isEmpty else { throw .noFiles(dataset: dataset) }
        switch batch {
        case .rows(let rows) where rows <= 0: throw .invalidBatchSize("\(rows) rows")
        case .bytes(let bytes) where bytes <= 0: throw .invalidBatchSize("\(bytes) bytes")
        default: break
        }
        var shards: [Shard] = []
        var rowShape: [Int]?
        for (path, range) in segments {
            let (shard, fileShape) = try hdf5 { () throws(HDF5Error) -> (Shard, [Int]) in
                let file = try File(path)
                let opened = try file.openDataset(dataset)
                if case .unsupported(let name) = opened.elementType {
                    throw HDF5Error(
                        kind: .unsupportedType(name), file: path, object: opened.objectPath,
                        operation: "stream", cause: "cannot stream a dataset of \(name) elements as Float32")
                }
                let info = try opened.info()
                try opened.checkAllocation(elements: opened.rowElementCount, of: Float.self, operation: "stream")
                let chunkRows = info.chunkShape?.first
                let shard = Shard(
                    file: path, rows: range?.count ?? opened.rowCount, firstRow: range?.lowerBound ?? 0,
                    chunkRows: chunkRows,
                    // nil when the product overflows (a damaged chunk shape): no chunk cache is sized from it.
                    chunkRowBytes: chunkRows.flatMap { rows in
                        let (bytes, overflow) = rows.multipliedReportingOverflow(
                            by: opened.rowElementCount * info.elementBytes)
                        return overflow ? nil : bytes
                    })
                return (shard, Array(opened.shape))
            }
            let shape = Array(fileShape.dropFirst())
            if let range, range.lowerBound < 0 || range.upperBound > (fileShape.first ?? 0) {
                throw .shapeMismatch(
                    file: path, dataset: dataset, expected: [range.upperBound] + shape, found: fileShape)
            }
            if let expected = rowShape, expected != shape {
                throw .shapeMismatch(file: path, dataset: dataset, expected: expected, found: shape)
            }
            rowShape = shape
            shards.append(shard)
        }
        self.dataset = dataset
        self.shards = shards
        self.rowShape = rowShape ?? []
        self.batchSize = batch
    }

    /// The most rows any batch holds: the buffer has this many rows.
    public var maxRowsPerBatch: Int {
        shards.map(rowsPerBatch).max() ?? 1
    }

    /// Rows per batch in `shard`: the requested rows, or the rows fitting the byte budget rounded down to
    /// whole chunks when at least one chunk fits; never more than the shard has (at least 1).
    public func rowsPerBatch(in shard: Shard) -> Int {
        let limit = Swift.max(shard.rows, 1)
        switch batchSize {
        case .rows(let rows):
            return Swift.min(rows, limit)
        case .bytes(let bytes):
            let rows = Swift.max(1, bytes / Swift.max(1, rowElementCount * MemoryLayout<Float>.stride))
            if let chunk = shard.chunkRows, chunk > 0, rows >= chunk, rows < shard.rows {
                return rows / chunk * chunk
            }
            return Swift.min(rows, limit)
        }
    }

    /// Calls `body` with each batch in order; the batch's values are valid only during the call.
    ///
    /// - Throws: ``TensorIOError`` for read failures, or whatever `body` throws (which stops the stream).
    public func forEachBatch(_ body: (TensorBatch) throws -> Void) throws {
        let capacity = bufferCapacity
        guard capacity > 0 else { return }
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        try stream(nextBuffer: { buffer }, deliver: body)
    }

    /// Elements a batch buffer must hold: ``maxRowsPerBatch`` × ``rowElementCount``.
    public var bufferCapacity: Int { maxRowsPerBatch * rowElementCount }

    /// Reads every batch in order into the buffer `nextBuffer` returns (at least ``bufferCapacity``
    /// elements; called once per batch) and hands it to `deliver`.
    ///
    /// Each batch is mapped (``ReadPath/mapped``) when ``allowsMapping`` is set, the dataset has a
    /// ``DirectStorage`` for Float and the batch's rows lie in one 4-byte aligned run of the file (the
    /// buffer is then still taken, unused, so `nextBuffer` keeps bounding the batches in flight); else
    /// read as raw chunks (``ReadPath/rawChunks``) when ``allowsRawChunks`` is set, the dataset has a
    /// ``RawChunkLayout`` for Float and the batch size is a whole number of chunks (so every batch covers
    /// whole chunks); otherwise through a hyperslab selection.
    func stream(
        nextBuffer: () throws -> UnsafeMutableBufferPointer<Float>, deliver: (TensorBatch) throws -> Void
    ) throws {
        let width = rowElementCount
        guard width > 0, bufferCapacity > 0 else { return }
        var firstRow = 0
        for shard in shards {
            let step = rowsPerBatch(in: shard)
            // Aligned: every batch starts on a chunk boundary (or there is a single batch).
            let aligned = shard.chunkRows.map { step % $0 == 0 || step >= shard.rows } ?? true
            let cache = aligned ? nil : shard.chunkRowBytes.map { min($0 + (1 << 20), Self.maxChunkCacheBytes) }
            let file = try hdf5 { () throws(HDF5Error) in try File(shard.file) }
            let opened = try hdf5 { () throws(HDF5Error) in try file.openDataset(dataset, chunkCacheBytes: cache) }
            let last = shard.firstRow + shard.rows
            guard opened.rowCount >= last,
                Array(opened.shape.dropFirst()) == rowShape
            else {
                throw TensorIOError.shapeMismatch(
                    file: shard.file, dataset: dataset, expected: [last] + rowShape, found: opened.shape)
            }
            let layout = try hdf5 { () throws(HDF5Error) -> RawChunkLayout? in
                guard allowsRawChunks, aligned else { return nil }
                return try opened.rawChunkLayout(as: Float.self)
            }
            var direct = try hdf5 { () throws(HDF5Error) -> DirectMapping? in
                guard allowsMapping, let storage = try opened.directStorage(as: Float.self),
                    let file = MappedFile(path: shard.file)
                else { return nil }
                return DirectMapping(storage: storage, file: file)
            }
            var start = shard.firstRow
            while start < last {
                let end = min(start + step, last)
                let buffer = try nextBuffer()
                if var mapping = direct {
                    let outcome = try mapping.window(start..<end, of: opened)
                    direct = mapping
                    switch outcome {
                    case .window(let window):
                        let values = UnsafeBufferPointer(
                            start: window.data.bindMemory(to: Float.self, capacity: (end - start) * width),
                            count: (end - start) * width)
                        try deliver(
                            TensorBatch(
                                values: values, rowElementCount: width,
                                rows: (firstRow + start - shard.firstRow)..<(firstRow + end - shard.firstRow),
                                file: shard.file, rowsInFile: start..<end, readPath: .mapped, storage: window))
                        start = end
                        continue
                    case .unavailable:
                        break
                    case .unusable:
                        direct = nil
                    }
                }
                let path: ReadPath
                if let layout, layout.coversWholeChunks(start..<end, rowCount: opened.rowCount) {
                    try hdf5 { () throws(HDF5Error) in
                        try opened.readRawChunks(start..<end, layout: layout, into: buffer)
                    }
                    path = .rawChunks
                } else {
                    try hdf5 { () throws(HDF5Error) in try opened.readRows(start..<end, into: buffer) }
                    path = .hyperslab
                }
                let values = UnsafeBufferPointer(rebasing: buffer[0..<((end - start) * width)])
                try deliver(
                    TensorBatch(
                        values: values, rowElementCount: width,
                        rows: (firstRow + start - shard.firstRow)..<(firstRow + end - shard.firstRow),
                        file: shard.file, rowsInFile: start..<end, readPath: path))
                start = end
            }
            firstRow += shard.rows
        }
    }
}
