/// Fixed buffers of integers, each touched by one thread at a time: those of a read-ahead, whose indices
/// a ``PipelineChannel`` hands over (its lock orders a buffer's writes before its reads), or one per worker
/// of a parallel loop, indexed by the worker.
///
/// `@unchecked Sendable`: `buffers` is never changed after `init`; each buffer's memory is touched only by
/// the thread that holds its index.
public final class ThreadBuffers<Element: FixedWidthInteger>: @unchecked Sendable {
    /// The buffers (allocated and zero-filled here, freed in `deinit`).
    public let buffers: [UnsafeMutableBufferPointer<Element>]

    /// `count` buffers of `capacity` elements each (at least one element). Inlinable, so that the zero fill is
    /// specialized for `Element` in the caller (unspecialized, it copies element by element through value
    /// witnesses).
    @inlinable
    public init(count: Int, capacity: Int) {
        buffers = (0..<count).map { _ in
            let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(capacity, 1))
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }
}
