import PTQKit

/// One row of the suite's table: a job over every dataset of the benchmark file.
struct BenchWorkload: Sendable {
    /// Name shown in the table and passed to `ptq-bench measure`.
    var name: String
    /// Whether the row is measured with all threads as well as with one.
    var parallel: Bool
    /// Runs the job once over `file` with `threads` threads.
    var run: @Sendable (_ file: String, _ threads: Int) throws -> Void
}

/// The workloads, in table order. Adding an observer is one line in ``all``.
enum BenchWorkloads {
    static let rawReadName = "raw read"
    /// Batches of 16 chunks (16 MiB).
    static let batch = TensorSource.BatchSize.bytes(16 << 20)

    static let all: [BenchWorkload] = [
        BenchWorkload(name: rawReadName, parallel: false) { file, _ in try read(file, rawChunks: true) },
        BenchWorkload(name: "raw read (hyperslab path)", parallel: false) { file, _ in try read(file, rawChunks: false) },
    ]

    /// The dataset paths of the benchmark file.
    static func datasets(_ file: String) -> [String] {
        BenchData.specs.map { "/\($0.name)" }
    }

    /// Streams every dataset once without computing anything (the I/O floor).
    static func read(_ file: String, rawChunks: Bool) throws {
        for dataset in datasets(file) {
            var source = try TensorSource(file: file, dataset: dataset, batch: batch)
            source.allowsRawChunks = rawChunks
            var touched: Float = 0
            try source.forEachBatch { touched += $0.values[0] }
            precondition(touched.isFinite || !touched.isFinite)
        }
    }
}
