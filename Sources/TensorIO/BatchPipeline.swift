import Foundation

/// Streams batches of one or more ``TensorSource``s to several worker threads, each with its own state.
///
/// Shape: the calling thread is the only reader (libhdf5 serializes every call behind one global lock, so
/// more readers would not read faster); it fills a pool of ``depth`` reused batch buffers and queues them;
/// ``workers`` threads take queued batches in read order, update their own state with `body` and hand
/// the buffer back. Peak batch memory is therefore `depth × batch buffer bytes`
/// (``bufferBytes(for:)``), whatever the size of the data. Mapped batches (``TensorSource/ReadPath/mapped``)
/// take a buffer slot without writing it: the reader only maps, and the workers read the file's pages
/// themselves, in parallel, with no libhdf5 call.
///
/// Which worker sees which batch depends on scheduling. The states come back in worker order for the
/// caller to merge: with exact, order-independent merges (min/max, integer histograms, counts) the merged
/// result does not depend on the thread count or on scheduling; ``PipelineBatch/sequence`` identifies a
/// batch for merges that need an order.
///
/// The first error, from a read or from `body`, stops everything: the reader stops reading, workers stop
/// taking batches, all threads are joined, buffers freed, and the error is rethrown.
///
/// ```swift
/// let pipeline = BatchPipeline(workers: 2)
/// let parts = try pipeline.run([source], makeState: { _ in TensorStatistics() }) { stats, item in
///     stats.accumulate(item.batch.values)
/// }
/// let total = parts.reduce(into: TensorStatistics()) { $0.merge($1) }
/// ```
public struct BatchPipeline: Sendable {
    /// Worker threads (at least 1).
    public let workers: Int
    /// Batch buffers in the pool (at least 1): the most batches in memory at once, being read, queued or
    /// processed. `workers + 2` keeps every worker busy while the reader fills the next buffer.
    public let depth: Int

    /// The most worker threads a pipeline runs (256); larger requests are capped to it.
    public static let maximumWorkers = WorkerThread.maximumCount

    /// A pipeline of `workers` threads (default: one per active core; at most ``maximumWorkers``) and
    /// `depth` buffers (default `workers + 2`).
    public init(workers: Int? = nil, depth: Int? = nil) {
        let requested = workers ?? ProcessInfo.processInfo.activeProcessorCount
        let workerCount = Swift.min(Self.maximumWorkers, Swift.max(1, requested))
        self.workers = workerCount
        self.depth = Swift.max(1, depth ?? workerCount + 2)
    }

    /// A pipeline of `workers` threads and the largest batch (in bytes, for ``TensorSource/BatchSize/bytes(_:)``)
    /// whose `workers + 2` buffers fit in `memoryBudget` bytes, capped at `preferredBatchBytes`.
    ///
    /// batch = min(preferred, budget / (workers + 2)). A source never makes a batch smaller than one row,
    /// so a budget below `depth` rows cannot be honoured exactly; ``bufferBytes(for:)`` gives the real bound.
    public static func budgeted(memoryBudget: Int, workers: Int? = nil, preferredBatchBytes: Int = 16 << 20)
        -> (pipeline: BatchPipeline, batchBytes: Int)
    {
        let pipeline = BatchPipeline(workers: workers)
        let batchBytes = Swift.max(1, Swift.min(preferredBatchBytes, memoryBudget / pipeline.depth))
        return (pipeline, batchBytes)
    }

    /// Elements of one pooled buffer: the largest ``TensorSource/bufferCapacity`` of `sources`.
    public static func bufferCapacity(for sources: [TensorSource]) -> Int {
        sources.map(\.bufferCapacity).max() ?? 0
    }

    /// Bytes of batch buffers a run over `sources` allocates: `depth × bufferCapacity × 4`.
    public func bufferBytes(for sources: [TensorSource]) -> Int {
        depth * Self.bufferCapacity(for: sources) * MemoryLayout<Float>.stride
    }

    /// Streams every batch of `sources` (in order, source after source) to the workers.
    ///
    /// - Parameters:
    ///   - sources: the datasets to read, in order.
    ///   - makeState: creates worker `i`'s initial state (called on the calling thread, before any read).
    ///   - onRead: called on the calling thread after each batch is read and queued, in read order (for
    ///     progress); only the batch's description (rows, file, element count) is valid: a worker may
    ///     already have consumed and released its values.
    ///   - body: updates a worker's state with one batch; called on worker threads, concurrently for
    ///     different workers, never concurrently for the same state. The batch's values are valid only
    ///     during the call.
    /// - Returns: the final states, worker 0 first.
    /// - Throws: the first error of a read (``TensorIOError``) or of `body`, or
    ///   ``TensorIOError/threadUnavailable(_:)`` when a worker thread cannot start.
    public func run<State>(
        _ sources: [TensorSource], makeState: (_ worker: Int) throws -> State,
        onRead: (PipelineBatch) -> Void = { _ in },
        body: @escaping @Sendable (_ state: inout State, _ batch: PipelineBatch) throws -> Void
    ) throws -> [State] {
        let slots = try (0..<workers).map { WorkerSlot(try makeState($0)) }
        let capacity = Self.bufferCapacity(for: sources)
        guard capacity > 0 else { return try slots.map { try $0.take() } }
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity * depth)
        defer { storage.deallocate() }
        let channel = PipelineChannel<PipelineBatch>(buffers: depth, workers: workers)
        for (index, slot) in slots.enumerated() {
            do {
                try WorkerThread.start { Self.work(slot: slot, channel: channel, body: body) }
            } catch {
                // The workers not started will never exit: count them out, and stop the run.
                channel.workersNeverStarted(workers - index)
                channel.fail(error)
                break
            }
        }
        do {
            var sequence = 0
            for (sourceIndex, source) in sources.enumerated() {
                var current = 0
                try source.stream(
                    nextBuffer: {
                        current = try channel.acquireBuffer()
                        return UnsafeMutableBufferPointer(
                            rebasing: storage[(current * capacity)..<((current + 1) * capacity)])
                    },
                    deliver: { batch in
                        let item = PipelineBatch(source: sourceIndex, sequence: sequence, batch: batch)
                        channel.enqueue(item, buffer: current)
                        onRead(item)
                        sequence += 1
                    })
            }
            channel.finishReading()
        } catch {
            channel.fail(error)
        }
        // Joins the workers: after this no thread touches `storage` or the slots.
        channel.waitForWorkers()
        if let failure = channel.failure { throw failure }
        return try slots.map { try $0.take() }
    }

    /// A worker's loop: take batches until the queue is drained or the run failed.
    private static func work<State>(
        slot: WorkerSlot<State>, channel: PipelineChannel<PipelineBatch>,
        body: @Sendable (inout State, PipelineBatch) throws -> Void
    ) {
        defer { channel.workerExited() }
        guard var state = try? slot.take() else { return }
        while let (batch, buffer) = channel.next() {
            do {
                try body(&state, batch)
            } catch {
                channel.fail(error)
                break
            }
            channel.releaseBuffer(buffer)
        }
        slot.put(state)
    }
}

/// One batch handed to a pipeline worker.
public struct PipelineBatch {
    /// Index of the batch's source in the array given to ``BatchPipeline/run(_:makeState:onRead:body:)``.
    public let source: Int
    /// Position of the batch in read order across all sources (0, 1, 2, ...).
    public let sequence: Int
    /// The rows; values valid only during the `body` call.
    public let batch: TensorBatch
}

/// Thrown inside the reader when a worker failed (never escapes ``BatchPipeline/run(_:makeState:onRead:body:)``:
/// the worker's error is rethrown instead).
struct PipelineStopped: Error {}

/// Holds a worker's state while it moves between the calling thread and the worker's thread.
///
/// `@unchecked Sendable`: the state is put before the worker thread starts (`Thread.start` orders it) and
/// taken by the caller only after ``PipelineChannel/waitForWorkers()`` returned (the channel's lock orders
/// it); in between only the worker touches it.
final class WorkerSlot<State>: @unchecked Sendable {
    private var state: State?

    init(_ state: State) { self.state = state }

    func take() throws -> State {
        guard let value = state else { throw PipelineStopped() }
        state = nil
        return value
    }

    func put(_ value: State) { state = value }
}
