#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Starts detached POSIX threads and reports when the system refuses one (`pthread_create` fails with
/// `EAGAIN` at the process or user thread limit, or when the address space cannot hold another stack):
/// Foundation's `Thread.start()` ignores that failure, and a pipeline waiting for a worker that never
/// started would wait forever.
public enum WorkerThread {
    /// The most worker threads a ``BatchPipeline`` (and ``Calibrator``) runs: 256. More than the cores
    /// of any machine PTQKit targets; each worker also holds a batch buffer, so more would only cost memory.
    static let maximumCount = 256

    /// Runs `body` on a new detached thread.
    ///
    /// - Throws: ``TensorIOError/threadUnavailable(_:)`` with the system's reason when no thread can start.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(TensorIOError) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw .threadUnavailable(String(cString: strerror(status)))
        }
    }

    /// The closure handed to the new thread.
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
