internal import Foundation
internal import TensorIO

/// Runs independent per-layer jobs (final range searches, weight calibrations) on several threads, with
/// results placed by index, so the outcome does not depend on the thread count or on scheduling.
///
/// Jobs are taken in index order by up to `threads` worker threads; the calling thread waits and reports
/// each finished job to `done` in index order. Workers run at most ``lookahead(workers:)`` jobs ahead of
/// the last job reported: what a finished job hands to `done` (a layer's calibrated tensors, which the
/// package writer stores in `done`) waits for at most that many jobs, so memory stays bounded when `done`
/// is slower than the jobs (writing a large weight's codes while the next layers calibrate) instead of
/// growing with the number of layers. After a job fails no further job starts; the jobs already
/// running finish, and the error of the lowest failing index is thrown: every job below it had started,
/// so the error is the one a serial loop would have thrown first.
enum ParallelJobs {
    /// `job(0) … job(count − 1)` on up to `threads` threads (serially on this thread when `threads ≤ 1`).
    ///
    /// - Parameters:
    ///   - count: the number of jobs.
    ///   - threads: the most worker threads to use.
    ///   - done: called on this thread with each index, in index order, once its job succeeded.
    ///   - job: one job; called concurrently for different indices.
    /// - Returns: the results, by index.
    /// - Throws: the error of the lowest-index failing job.
    static func run<R: Sendable>(
        count: Int, threads: Int, done: (Int) -> Void = { _ in },
        _ job: @escaping @Sendable (Int) throws(CalibrationError) -> R
    ) throws(CalibrationError) -> [R] {
        let workers = Swift.min(threads, count, BatchPipeline.maximumWorkers)
        guard workers > 1 else {
            var results: [R] = []
            results.reserveCapacity(count)
            for index in 0..<count {
                results.append(try job(index))
                done(index)
            }
            return results
        }
        let board = JobBoard<R>(count: count, lookahead: lookahead(workers: workers))
        let running = DispatchGroup()
        // Threads of their own, not Dispatch's global queue: a worker waiting for `done` to catch up must
        // not hold one of the queue's few threads (one per core), which the jobs' own concurrent work
        // (a streamed weight's code blocks, written in `done`) needs.
        var started = 0
        for _ in 0..<workers {
            running.enter()
            do {
                try WorkerThread.start {
                    defer { running.leave() }
                    while let index = board.take() {
                        let result: Result<R, CalibrationError>
                        do throws(CalibrationError) {
                            result = .success(try job(index))
                        } catch {
                            result = .failure(error)
                        }
                        board.finish(index, result)
                    }
                }
                started += 1
            } catch {
                // The system refused a thread: the workers started share the jobs.
                running.leave()
                break
            }
        }
        guard started > 0 else {
            return try run(count: count, threads: 1, done: done, job)
        }
        // Joins the workers on every exit: after this no job runs.
        defer { running.wait() }
        var results: [R] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            switch board.wait(for: index) {
            case .success(let value)?:
                results.append(value)
                done(index)
                board.reported(index)
            case .failure(let error)?:
                throw error
            case nil:
                // Skipped jobs follow the failing one (jobs are taken in index order), which is waited
                // for first and thrown above.
                preconditionFailure("job \(index) was skipped although no earlier job failed")
            }
        }
        return results
    }

    /// How many jobs past the last one reported to `done` may be taken: eight per worker. Jobs differ in
    /// size (one large weight among many small ones), and while a large job runs, `done` cannot pass it:
    /// a window of 2 per worker made the other workers wait (weights `mse` on the 2 GiB bench file, 2
    /// threads: 5.64 s with 4, 5.02 s with 16), while 16 pending layers of a package job hold little (a
    /// streamed weight's parameters, a bias; whole-read weights are at most 4 × the block size each).
    static func lookahead(workers: Int) -> Int { 8 * workers }
}

/// The shared state of one ``ParallelJobs/run(count:threads:done:_:)``: the next index to take, the
/// results, how far `done` has got, and whether a job failed.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`'s lock.
private final class JobBoard<R: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var next = 0
    private let count: Int
    /// Jobs `0..<reportedCount` have been reported to `done`.
    private var reportedCount = 0
    /// A job may be taken while `next < reportedCount + lookahead`.
    private let lookahead: Int
    private var results: [Result<R, CalibrationError>?]
    private var failed = false

    init(count: Int, lookahead: Int) {
        self.count = count
        self.lookahead = Swift.max(1, lookahead)
        results = Array(repeating: nil, count: count)
    }

    /// The next job's index, or `nil` when all were taken or one failed; waits while the next job is
    /// `lookahead` or more jobs past the last one reported.
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !failed && next < count && next >= reportedCount + lookahead { condition.wait() }
        guard !failed, next < count else { return nil }
        next += 1
        return next - 1
    }

    /// Records job `index`'s result.
    func finish(_ index: Int, _ result: Result<R, CalibrationError>) {
        condition.lock()
        results[index] = result
        if case .failure = result { failed = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Job `index` was reported to `done` (indices are reported in order): a waiting worker may go on.
    func reported(_ index: Int) {
        condition.lock()
        reportedCount = index + 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for job `index`'s result; `nil` if it will never run (a job failed before it was taken).
    func wait(for index: Int) -> Result<R, CalibrationError>? {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil && !(failed && index >= next) { condition.wait() }
        return results[index]
    }
}
