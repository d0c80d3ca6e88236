import PTQKit

/// Benchmarks of the TensorIO stage: the fused statistics kernel in memory, and streaming HDF5 datasets
/// through it (`ptq-bench stream FILE...` streams every numeric dataset of the files).
enum TensorIOBenchmarks {
    /// Runs the kernel benchmark, and the stream benchmark for the files after `stream` in `arguments`.
    static func run(arguments: [String]) throws {
        kernel()
        if let index = arguments.firstIndex(of: "stream") {
            for file in arguments[(index + 1)...] { try stream(file) }
        }
    }

    /// Best of 5 passes of `TensorStatistics.accumulate` over 256 MiB of Float32 (SplitMix64 values).
    static func kernel() {
        let count = 64 << 20
        var random = SplitMix64(state: 1)
        let values = (0..<count).map { _ -> Float in
            Float(Int64(bitPattern: random.next()) >> 40) / Float(1 << 20)
        }
        var best = Duration.seconds(1_000)
        var stats = TensorStatistics()
        for _ in 0..<5 {
            let elapsed = ContinuousClock().measure {
                stats = values.withUnsafeBufferPointer { TensorStatistics($0) }
            }
            best = min(best, elapsed)
        }
        report("statistics kernel, 256 MiB Float32 in memory", bytes: count * 4, best)
        precondition(stats.count == count)
    }

    /// Streams every numeric dataset of `file` once through the statistics kernel (8 MiB batches).
    static func stream(_ file: String) throws {
        let opened = try File(file)
        var bytes = 0
        let elapsed = try ContinuousClock().measure {
            for entry in try opened.walk() where entry.kind == .dataset {
                guard try opened.openDataset(entry.path).elementType.numeric != nil else { continue }
                let source = try TensorSource(file: file, dataset: entry.path, batch: .bytes(8 << 20))
                var stats = TensorStatistics()
                try source.forEachBatch { batch in stats.accumulate(batch.values) }
                bytes += stats.count * 4
            }
        }
        report("stream + statistics of \(file) (Float32 bytes)", bytes: bytes, elapsed)
    }

    private static func report(_ name: String, bytes: Int, _ elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = Double(bytes) / seconds / 1e9
        print("\(name): \((seconds * 1000).rounded()) ms, \((rate * 100).rounded() / 100) GB/s")
    }
}
