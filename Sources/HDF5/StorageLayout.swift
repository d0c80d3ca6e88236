/// How a dataset stores its data.
enum StorageLayout: Sendable {
    case compact, contiguous, chunked, virtual, unknown
}
