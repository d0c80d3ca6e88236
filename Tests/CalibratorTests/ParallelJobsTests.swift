import Foundation
import Observers
import QuantCore
import TensorIO
import Testing

@testable import Calibrator

/// `ParallelJobs` (per-layer work on several threads) and the calibrator's multi-threaded activation
/// streaming with observers whose merge is not exact.
@Suite struct ParallelJobsTests {
    /// A collector of `done` indices, filled on the calling thread only.
    final class Log: @unchecked Sendable {
        var indices: [Int] = []
    }

    @Test(arguments: [1, 2, 4, 16])
    func resultsAndDoneComeInIndexOrder(threads: Int) throws {
        let log = Log()
        let results = try ParallelJobs.run(count: 200, threads: threads, done: { log.indices.append($0) }) { index in
            // Uneven work, so jobs finish out of order on several threads.
            var x = UInt64(index)
            for _ in 0..<((200 - index) * 50) { x = x &* 6_364_136_223_846_793_005 &+ 1 }
            return (index, x)
        }
        #expect(results.map(\.0) == Array(0..<200))
        #expect(log.indices == Array(0..<200))
    }

    @Test(arguments: [1, 2, 4])
    func theLowestFailingIndexIsThrown(threads: Int) {
        let log = Log()
        #expect {
            _ = try ParallelJobs.run(count: 100, threads: threads, done: { log.indices.append($0) }) {
                (index) throws(CalibrationError) in
                if index == 60 { throw .noInputs("job 60") }
                if index == 37 {
                    Thread.sleep(forTimeInterval: 0.01)  // fails after 60 when run concurrently
                    throw .noInputs("job 37")
                }
                return index
            }
        } throws: { error in
            "\(error)".contains("job 37")
        }
        #expect(log.indices == Array(0..<37))
    }

    /// With a slow `done` (a package writer storing a large weight), workers wait instead of running
    /// ahead: no job starts more than ``ParallelJobs/lookahead(workers:)`` jobs past the last one reported,
    /// so what finished jobs hand to `done` stays bounded however many jobs there are.
    @Test(arguments: [2, 4])
    func workersStayWithinTheLookaheadOfASlowDone(threads: Int) throws {
        final class Progress: @unchecked Sendable {
            let lock = NSLock()
            var reported = 0
            var furthestAhead = 0
        }
        let progress = Progress()
        let results = try ParallelJobs.run(
            count: 60, threads: threads,
            done: { index in
                Thread.sleep(forTimeInterval: 0.002)
                progress.lock.withLock { progress.reported = index + 1 }
            }
        ) { index in
            progress.lock.withLock { progress.furthestAhead = max(progress.furthestAhead, index - progress.reported) }
            return index
        }
        #expect(results == Array(0..<60))
        let lookahead = ParallelJobs.lookahead(workers: threads)
        // Job `reported + lookahead − 1` is the furthest a worker may take; with instant jobs and a slow
        // `done` the workers reach it.
        #expect(progress.furthestAhead == lookahead - 1, "lookahead \(lookahead)")
    }

    /// `done` may run concurrent work on Dispatch's global queue (a streamed weight's code blocks: one
    /// worker on the calling thread, the others on the queue) while the workers wait for it to catch up:
    /// the workers must not hold the queue's threads (one per core). A task queued each time `done` runs
    /// must start within half a second. With as many workers as cores, workers on the global queue
    /// starved it until libdispatch added a thread, about a second later (seen as a weights job storing a
    /// large tensor on one thread while the calibrators waited).
    @Test func workersWaitingForDoneLeaveTheGlobalQueueFree() throws {
        let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let count = 3 * ParallelJobs.lookahead(workers: threads)
        var late = 0
        _ = try ParallelJobs.run(
            count: count, threads: threads,
            done: { _ in
                let started = DispatchSemaphore(value: 0)
                DispatchQueue.global().async { started.signal() }
                if started.wait(timeout: .now() + 0.5) == .timedOut {
                    late += 1
                    started.wait()
                }
            }
        ) { index in index }
        #expect(late == 0)
    }

    @Test func zeroJobs() throws {
        #expect(try ParallelJobs.run(count: 0, threads: 4) { $0 }.isEmpty)
    }

    /// Records the first value and row count of every batch in order; its merge is not exact (it does
    /// not declare `ExactlyMergeable`), and it is not persistent: the core protocol only.
    struct BatchOrderObserver: Observer {
        struct Options: Codable, Sendable, Equatable {}
        static let kind = "batch-order"
        private(set) var batches: [[Float]] = []

        mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
            batches.append([batch.first ?? .nan, Float(shape[0])])
        }

        mutating func merge(_ other: BatchOrderObserver) throws {
            guard batches.isEmpty || other.batches.isEmpty else {
                throw ObserverError.mergeMismatch(kind: Self.kind, reason: "the batch order would be lost")
            }
            batches += other.batches
        }

        func ranges(for target: RangeTarget) throws -> ObservedRanges {
            ObservedRanges(layout: nil, ranges: SlotRanges(count: 0), counts: NonFiniteCounts())
        }
    }

    /// An observer declaring an inexact merge sees every batch in read order, on any thread count.
    @Test(arguments: [2, 4])
    func inexactObserversSeeBatchesInReadOrder(threads: Int) throws {
        var registry = ObserverRegistry.builtIn
        try registry.register(name: "batch-order", summary: "test", defaults: BatchOrderObserver.Options()) { _ in
            BatchOrderObserver()
        }
        var config = CalibrationConfig()
        config.activations.observer = ObserverSpec("batch-order")
        func observed(threads: Int) throws -> [[[Float]]] {
            var calibrator = try Calibrator(config: config, observers: registry)
            calibrator.threads = threads
            calibrator.batchSize = .rows(7)
            let (layers, policies) = try calibrator.activationLayers(datasets: ["/fc1", "/fc2", "/fc3"])
            let observed = try calibrator.observeActivations(layers: layers, policies: policies, progress: { _ in }) {
                (dataset, batch) throws(TensorIOError) in
                try TensorSource(file: Bundled.activations, dataset: dataset, batch: batch)
            }
            return try observed.map { try #require($0.observers.primary as? BatchOrderObserver).batches }
        }
        let serial = try observed(threads: 1)
        #expect(serial.count == 3)
        #expect(serial.allSatisfy { $0.count == 43 })  // ⌈300 / 7⌉
        #expect(try observed(threads: threads) == serial)
    }
}
