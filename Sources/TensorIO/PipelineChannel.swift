import Foundation

/// The lock-and-condition queue between a reading thread and the threads that consume what it read (a
/// ``BatchPipeline``'s reader and workers; the calibrator's read-ahead of weight codes): a free list of
/// buffer indices, a FIFO of read items (`Item`: a ``PipelineBatch``, or a count of codes), the first failure
/// and the count of running workers.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`'s
/// lock. The batch buffers the queued batches point into are owned by one thread at a time: free list →
/// reader (``acquireBuffer()``) → queue (``enqueue(_:buffer:)``) → one worker (``next()``) → free list
/// (``releaseBuffer(_:)``); each hand-over goes through the lock, which orders the buffer's writes
/// before its reads.
public final class PipelineChannel<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var freeBuffers: [Int]
    private var queue: [(item: Item, buffer: Int)] = []
    private var readingDone = false
    private var runningWorkers: Int
    private var firstError: (any Error)?

    /// A channel over `buffers` buffer indices (0..<buffers, all free) for `workers` consuming threads.
    public init(buffers: Int, workers: Int) {
        freeBuffers = Array((0..<buffers).reversed())
        runningWorkers = workers
    }

    /// The first error recorded (read after ``waitForWorkers()``).
    public var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return firstError
    }

    /// Records `error` if it is the first and wakes every thread. (A ``PipelineStopped`` is only thrown
    /// after a first error was recorded, so it never replaces the real cause.)
    public func fail(_ error: any Error) {
        condition.lock()
        if firstError == nil { firstError = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a free buffer; throws ``PipelineStopped`` once the run failed.
    public func acquireBuffer() throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while freeBuffers.isEmpty && firstError == nil { condition.wait() }
        guard firstError == nil, let index = freeBuffers.popLast() else { throw PipelineStopped() }
        return index
    }

    /// Queues a read item living in buffer `buffer`.
    public func enqueue(_ item: Item, buffer: Int) {
        condition.lock()
        queue.append((item, buffer))
        condition.broadcast()
        condition.unlock()
    }

    /// The reader read everything: workers drain the queue and exit.
    public func finishReading() {
        condition.lock()
        readingDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next queued item and its buffer, waiting for one; `nil` once the run failed or reading is done and
    /// the queue is empty.
    public func next() -> (Item, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !readingDone && firstError == nil { condition.wait() }
        guard firstError == nil, !queue.isEmpty else { return nil }
        // Removed, not just passed: a consumed batch may keep a file mapping alive (at most `depth` queued).
        return queue.removeFirst()
    }

    /// Returns a processed batch's buffer to the free list.
    public func releaseBuffer(_ index: Int) {
        condition.lock()
        freeBuffers.append(index)
        condition.broadcast()
        condition.unlock()
    }

    /// Called by each worker as it exits.
    func workerExited() {
        condition.lock()
        runningWorkers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// `count` workers could not be started: they count as exited.
    func workersNeverStarted(_ count: Int) {
        condition.lock()
        runningWorkers -= count
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every worker has exited.
    func waitForWorkers() {
        condition.lock()
        while runningWorkers > 0 { condition.wait() }
        condition.unlock()
    }
}
