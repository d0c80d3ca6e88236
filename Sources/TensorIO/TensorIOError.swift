public import HDF5

/// A failure while resolving or streaming a ``TensorSource``.
public enum TensorIOError: Error, Sendable, CustomStringConvertible {
    /// The HDF5 layer failed (missing file, missing dataset, unsupported type, damaged file, ...).
    case hdf5(HDF5Error)
    /// A glob pattern matched no file.
    case noFilesMatch(pattern: String)
    /// A source was given an empty list of files.
    case noFiles(dataset: String)
    /// A shard's dataset has other trailing dimensions than the first shard's.
    case shapeMismatch(file: String, dataset: String, expected: [Int], found: [Int])
    /// A batch size that cannot hold one row, or is not positive.
    case invalidBatchSize(String)
    /// The system would not start a worker thread (thread or memory limit); the reason is `strerror`'s.
    case threadUnavailable(String)

    /// One line naming the file, dataset and cause.
    public var description: String {
        switch self {
        case .hdf5(let error): error.description
        case .noFilesMatch(let pattern): "\(pattern): no file matches the pattern"
        case .noFiles(let dataset): "\(dataset): no files given"
        case .shapeMismatch(let file, let dataset, let expected, let found):
            "\(file):\(dataset): rows of shape \(found) do not match the other shards' \(expected)"
        case .invalidBatchSize(let reason): "invalid batch size: \(reason)"
        case .threadUnavailable(let reason):
            "cannot start a worker thread: \(reason) (lower --threads or raise the process limits)"
        }
    }
}

/// Runs `body` and wraps an `HDF5Error` it throws into ``TensorIOError/hdf5(_:)``.
@inline(__always)
func hdf5<R: ~Copyable>(_ body: () throws(HDF5Error) -> R) throws(TensorIOError) -> R {
    do {
        return try body()
    } catch {
        throw .hdf5(error)
    }
}
