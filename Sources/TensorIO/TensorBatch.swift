/// One batch of rows streamed by a ``TensorSource``, converted to Float32.
///
/// The values live in the source's reused buffer, or in a read-only mapping of the file
/// (``TensorSource/ReadPath/mapped``): they are valid only inside the closure that received the batch.
/// Copy them out (`Array(batch.values)`) to keep them.
public struct TensorBatch {
    /// The rows' elements, row-major: `rowCount × rowElementCount` values.
    public let values: UnsafeBufferPointer<Float>
    /// Elements per row (product of the trailing dimensions).
    public let rowElementCount: Int
    /// Row indices of this batch counted across all shards of the source.
    public let rows: Range<Int>
    /// The shard file the batch comes from.
    public let file: String
    /// Row indices of this batch inside its shard.
    public let rowsInFile: Range<Int>

    /// How the batch was read from the file.
    public let readPath: TensorSource.ReadPath

    /// Keeps the memory `values` points into alive (a ``MappedWindow`` for ``TensorSource/ReadPath/mapped``
    /// batches; `nil` for batches in a reader's buffer).
    let storage: AnyObject?

    /// Number of rows in the batch.
    public var rowCount: Int { rows.count }

    init(
        values: UnsafeBufferPointer<Float>, rowElementCount: Int, rows: Range<Int>, file: String,
        rowsInFile: Range<Int>, readPath: TensorSource.ReadPath, storage: AnyObject? = nil
    ) {
        self.values = values
        self.rowElementCount = rowElementCount
        self.rows = rows
        self.file = file
        self.rowsInFile = rowsInFile
        self.readPath = readPath
        self.storage = storage
    }
}
