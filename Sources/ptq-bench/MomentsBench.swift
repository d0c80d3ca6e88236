import Foundation
import PTQKit

/// `ptq-bench moments` (and the `gram` rows of `suite`): throughput of the input-moment collection
/// (``InputMomentsAccumulator``) on activations in memory: rows of d features in blocks of 256 rows, spread
/// over T threads (block k to thread k mod T, each with its own accumulator, merged at the end, as the
/// calibrator's workers do). GB/s = Float32 bytes of the rows / seconds (accumulation and merge; finishing
/// into the d×d matrix is reported separately).
enum MomentsBench {
    /// Measures and prints one table: `[--d N] [--rows N] [--runs N] [--threads 1,2] [--level gram|per-feature]`.
    static func run(arguments: [String]) throws {
        func value(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        let d = value("--d").flatMap(Int.init) ?? 1024
        let rows = value("--rows").flatMap(Int.init) ?? 16384
        let runs = value("--runs").flatMap(Int.init) ?? 3
        let threads = (value("--threads") ?? "1,2").split(separator: ",").compactMap { Int($0) }
        let level = value("--level").flatMap(InputMomentsLevel.init(rawValue:)) ?? .gram
        try table(d: d, rows: rows, runs: runs, threads: threads, level: level)
    }

    /// Prints the throughput for each thread count (median of `runs` after a warm-up).
    static func table(d: Int, rows: Int, runs: Int, threads: [Int], level: InputMomentsLevel) throws {
        var rng = SplitMix64(state: 11)
        var values = [Float](repeating: 0, count: rows * d)
        for i in values.indices {
            let unit = Double(rng.next() >> 11) * 0x1p-53  // uniform in [0, 1)
            values[i] = Float(unit * 4 - 2)
        }
        let bytes = Double(values.count * MemoryLayout<Float>.stride)
        print(
            "input moments (\(level.rawValue)), d = \(d), \(rows) rows (\(Int(bytes) >> 20) MiB float32) in blocks "
                + "of \(InputMomentsAccumulator.blockVectors) rows; median of \(runs) runs after a warm-up")
        // CPU seconds too: on a loaded machine the wall time measures the share of the cores we got.
        print("threads  seconds  GB/s   CPU s    GB/CPU-s  finish s  state per worker")
        for t in threads {
            var reference: InputMoments?
            _ = try accumulate(values, d: d, threads: t, level: level)
            var times: [Double] = []
            var cpu: [Double] = []
            var finish = 0.0
            for _ in 0..<runs {
                var merged: InputMomentsAccumulator?
                let cpuBefore = HashBench.cpuSeconds()
                let elapsed = try ContinuousClock().measure {
                    merged = try accumulate(values, d: d, threads: t, level: level)
                }
                times.append(BenchSuite.seconds(elapsed))
                cpu.append(HashBench.cpuSeconds() - cpuBefore)
                var moments: InputMoments?
                finish = BenchSuite.seconds(ContinuousClock().measure { moments = merged?.finished() })
                if let reference, reference != moments { throw BenchError.usage("moments differ between runs") }
                reference = moments
            }
            let median = times.sorted()[times.count / 2]
            let cpuMedian = cpu.sorted()[cpu.count / 2]
            let state = InputMomentsAccumulator.stateBytes(features: d, level: level)
            print(
                String(
                    format: "%7d  %7.3f  %5.3f  %7.3f  %8.3f  %8.3f  %d MiB", t, median, bytes / median / 1e9,
                    cpuMedian, bytes / cpuMedian / 1e9, finish, state >> 20))
        }
    }

    /// Every block of `values` added by `threads` threads and merged.
    static func accumulate(_ values: [Float], d: Int, threads: Int, level: InputMomentsLevel) throws
        -> InputMomentsAccumulator
    {
        let block = InputMomentsAccumulator.blockVectors
        let blocks = (values.count / d + block - 1) / block
        let parts = Parts(count: threads, features: d, level: level)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var accumulator = InputMomentsAccumulator(features: d, level: level)
            values.withUnsafeBufferPointer { all in
                for k in stride(from: worker, to: blocks, by: threads) {
                    let rows = min(block, all.count / d - k * block)
                    let slice = UnsafeBufferPointer(rebasing: all[(k * block * d)..<((k * block + rows) * d)])
                    do { try accumulator.add(block: slice, count: rows) } catch { parts.fail(error) }
                }
            }
            parts.put(worker, accumulator)
        }
        return try parts.merged()
    }

    /// The workers' accumulators (`@unchecked Sendable`: each slot is written by one worker, under the lock).
    final class Parts: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [InputMomentsAccumulator]
        private var failure: (any Error)?

        init(count: Int, features: Int, level: InputMomentsLevel) {
            slots = Array(repeating: InputMomentsAccumulator(features: features, level: level), count: count)
        }

        func put(_ index: Int, _ value: InputMomentsAccumulator) {
            lock.lock()
            slots[index] = value
            lock.unlock()
        }

        func fail(_ error: any Error) {
            lock.lock()
            failure = failure ?? error
            lock.unlock()
        }

        func merged() throws -> InputMomentsAccumulator {
            if let failure { throw failure }
            var result = slots[0]
            for part in slots.dropFirst() { try result.merge(part) }
            return result
        }
    }
}
