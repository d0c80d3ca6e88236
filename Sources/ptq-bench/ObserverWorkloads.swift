import PTQKit

/// The observer rows of the suite: each observes every dataset through the pipeline, merges the workers'
/// observers per dataset and computes the final ranges (the percentile/MSE/entropy search included).
/// Adding an observer is one line in ``all``.
enum ObserverWorkloads {
    static let all: [BenchWorkload] = [
        observer("minmax") { MinMaxObserver() },
        observer("per-channel minmax") { MinMaxObserver(options: .init(granularity: .perChannel(axis: 1))) },
        observer("histogram") { try HistogramObserver(options: .init(method: .minmax)) },
        observer("percentile") { try HistogramObserver(options: .init(method: .percentile(PercentileRange()))) },
        observer("mse") { try HistogramObserver(options: .init(method: .mse)) },
        observer("entropy") { try HistogramObserver(options: .init(method: .entropy(EntropyRange()))) },
    ]

    /// A parallel row running observer `O` over every dataset, then `ranges(for: .int8Symmetric)`.
    static func observer<O: Observer>(_ name: String, _ make: @escaping @Sendable () throws -> O) -> BenchWorkload {
        BenchWorkload(name: name, parallel: true) { file, threads in
            try BenchWorkloads.pipelined(
                file, threads, make: make,
                observe: { observer, batch in
                    try observer.observe(batch.values, shape: [batch.rowCount, batch.rowElementCount])
                },
                merge: { whole, part in try whole.merge(part) },
                finish: { observer in _ = try observer.ranges(for: .int8Symmetric) })
        }
    }
}
