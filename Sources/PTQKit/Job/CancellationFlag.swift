import Foundation

/// A flag one thread sets to ask a running ``CalibrationJob`` to stop; the job checks it between its
/// steps (before each probe, before calibrating, before writing) and throws
/// ``CalibrationJobError/cancelled``. Setting it is permanent.
///
/// `@unchecked Sendable`: `cancelled` is only read and written while holding `lock`.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    /// A flag that is not set.
    public init() {}

    /// Asks the job to stop.
    public func cancel() { lock.withLock { cancelled = true } }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { lock.withLock { cancelled } }
}
