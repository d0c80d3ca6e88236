import PTQKit

/// `ptq-bench observers [--gib N] [--runs N]`: throughput of each built-in observer on one core over
/// an in-memory Float32 buffer (default 1 GiB, shape [rows, 1024]) fed in 4 MiB batches, including
/// the final range computation (percentile, MSE and entropy searches). Each line is the median of
/// `--runs` (default 5) timed runs after one warm-up (in-process ContinuousClock), in GB/s of
/// Float32 input, with memcpy of the same buffer as the baseline.
enum ObserverBench {
    static func run(arguments: [String]) throws {
        func option(_ name: String, _ fallback: Double) -> Double {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Double(arguments[i + 1])
            else { return fallback }
            return v
        }
        let columns = 1024
        let count = Int(option("--gib", 1) * Double(1 << 28)) / columns * columns
        let runs = max(1, Int(option("--runs", 5)))
        let batchRows = 1024
        print(
            "observers: \(count) Float32 elements (\((count * 4) >> 20) MiB), shape [\(count / columns), \(columns)], "
                + "batches of \(batchRows) rows (4 MiB), one core, median of \(runs) after 1 warm-up")
        print("observer                                  ms     GB/s")
        // Bell-shaped data (sum of two uniforms, about ±8) with a few outliers.
        var random = SplitMix64(state: 7)
        let x = (0..<count).map { i -> Float in
            let z = random.next()
            let a = Float(Int32(truncatingIfNeeded: z) >> 8)
            let b = Float(Int32(truncatingIfNeeded: z >> 32) >> 8)
            return (a + b) / Float(1 << 21) * (i % 1_000_003 == 0 ? 16 : 1)
        }
        var copy = [Float](repeating: 0, count: count)
        report("memcpy (baseline)", bytes: count * 4, runs: runs) {
            x.withUnsafeBytes { src in
                copy.withUnsafeMutableBytes { dst in
                    if let d = dst.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
                }
            }
        }
        report("RangeScan kernel (fused min/max/counts)", bytes: count * 4, runs: runs) {
            let s = x.withUnsafeBufferPointer { RangeScan.scan($0) }
            precondition(s.counts.finite == UInt64(count))
        }
        let registry = ObserverRegistry.builtIn
        let perChannel = ["granularity": ["perChannel": ["axis": 1]]]
        let rows: [(String, () throws -> AnyObserver)] = [
            ("minmax", { try registry.makeObserver("minmax") }),
            ("minmax per-channel (axis 1, 1024 ch)", { try registry.makeObserver("minmax", options: perChannel) }),
            ("moving-average-minmax", { try registry.makeObserver("moving-average-minmax") }),
            ("histogram (4096 bins)", { try registry.makeObserver("histogram") }),
            ("percentile 99.99", { try registry.makeObserver("percentile") }),
            ("mse (int8 symmetric)", { try registry.makeObserver("mse") }),
            ("entropy (TensorRT, int8)", { try registry.makeObserver("entropy") }),
        ]
        for (name, make) in rows {
            var failure: (any Error)?
            report(name, bytes: count * 4, runs: runs) {
                do {
                    var o = try make()
                    try x.withUnsafeBufferPointer { all in
                        var start = 0
                        while start < count {
                            let n = min(batchRows * columns, count - start)
                            try o.observe(
                                UnsafeBufferPointer(rebasing: all[start..<(start + n)]), shape: [n / columns, columns])
                            start += n
                        }
                    }
                    let r = try o.ranges(for: .int8Symmetric)
                    precondition(r.low.allSatisfy(\.isFinite))
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        precondition(copy.count == count)
    }

    static func report(_ name: String, bytes: Int, runs: Int, _ body: () -> Void) {
        body()  // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            let d = ContinuousClock().measure(body)
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        let median = times.sorted()[times.count / 2]
        let gbps = (Double(bytes) / median / 1e9 * 100).rounded() / 100
        let ms = (median * 10_000).rounded() / 10
        print(
            name.padding(toLength: 38, withPad: " ", startingAt: 0)
                + "\(ms)".leftPadded(9) + "\(gbps)".leftPadded(9))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
