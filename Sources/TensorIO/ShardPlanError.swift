/// Why a shard specification or plan cannot be made.
public enum ShardPlanError: Error, Sendable, CustomStringConvertible {
    /// A `K/N` that does not parse or is out of range.
    case invalidShard(String, reason: String)
    /// The inputs could not be read to plan the shards.
    case input(TensorIOError)
    /// The same file was given twice.
    case duplicateFile(String)

    /// One line naming the shard or file and the cause.
    public var description: String {
        switch self {
        case .invalidShard(let text, let reason): "invalid shard '\(text)': \(reason)"
        case .input(let error): error.description
        case .duplicateFile(let path): "\(path): given more than once"
        }
    }
}
