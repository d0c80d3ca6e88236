import Foundation
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
    /// Batch size: `PTQ_BENCH_BATCH_KIB` KiB, default 4 MiB (4 chunks: small enough that a batch the
    /// reader just wrote is still in the last-level cache when a worker reduces it).
    static let batch = TensorSource.BatchSize.bytes(
        (ProcessInfo.processInfo.environment["PTQ_BENCH_BATCH_KIB"].flatMap { Int($0) } ?? 4096) << 10)

    static let all: [BenchWorkload] =
        [
            BenchWorkload(name: rawReadName, parallel: false) { file, _ in try read(file, path: .mapped) },
            BenchWorkload(name: "raw read (raw-chunk copy)", parallel: false) { file, _ in
                try read(file, path: .rawChunks)
            },
            BenchWorkload(name: "raw read (hyperslab copy)", parallel: false) { file, _ in
                try read(file, path: .hyperslab)
            },
            BenchWorkload(name: "statistics (fused kernel)", parallel: true) { file, threads in
                try pipelined(
                    file, threads, make: { TensorStatistics() }, observe: { $0.accumulate($1.values) },
                    merge: { $0.merge($1) }, finish: { _ = $0.standardDeviation })
            },
        ] + ObserverWorkloads.all

    /// The dataset paths of a benchmark file (the activation or the weights file), in walk order.
    static func datasets(_ file: String) throws -> [String] {
        try File(file).walk().filter { $0.kind == .dataset }.map(\.path)
    }

    /// Streams all datasets through a ``BatchPipeline`` of `threads` workers (with 1 thread: serially on
    /// the calling thread, no pipeline); each worker keeps one `State` per dataset; the parts of each
    /// dataset are merged in worker order at the end.
    static func pipelined<State>(
        _ file: String, _ threads: Int, make: () throws -> State,
        observe: @escaping @Sendable (inout State, TensorBatch) throws -> Void,
        merge: (inout State, State) throws -> Void, finish: (State) throws -> Void
    ) throws {
        let sources = try datasets(file).map { try TensorSource(file: file, dataset: $0, batch: batch) }
        if threads == 1 {
            for source in sources {
                var state = try make()
                try source.forEachBatch { try observe(&state, $0) }
                try finish(state)
            }
            return
        }
        let parts = try BatchPipeline(workers: threads).run(
            sources, makeState: { _ in try sources.map { _ in try make() } }
        ) { states, item in
            try observe(&states[item.source], item.batch)
        }
        for dataset in sources.indices {
            var whole = parts[0][dataset]
            for part in parts.dropFirst() { try merge(&whole, part[dataset]) }
            try finish(whole)
        }
    }

    /// Streams every dataset once through the fastest path `path` allows, computing as little as honesty
    /// allows (the I/O floor): mapped batches are summed (SIMD, every float loaded from the mapping, since
    /// a mapping alone moves no byte); copied batches (raw chunks, hyperslab) were moved by the copy, so
    /// only one value is touched.
    static func read(_ file: String, path: TensorSource.ReadPath) throws {
        for dataset in try datasets(file) {
            var source = try TensorSource(file: file, dataset: dataset, batch: batch)
            source.allowsMapping = path == .mapped
            source.allowsRawChunks = path != .hyperslab
            var touched: Float = 0
            try source.forEachBatch { touched += $0.readPath == .mapped ? sum($0.values) : $0.values[0] }
            precondition(touched.isFinite || !touched.isFinite)
        }
    }

    /// Σ values with four SIMD16 accumulators (loads every byte; memory-bound).
    static func sum(_ values: UnsafeBufferPointer<Float>) -> Float {
        guard let base = values.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var a = SIMD16<Float>()
        var b = a
        var c = a
        var d = a
        var i = 0
        while i + 64 <= values.count {
            a += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            b += raw.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD16<Float>.self)
            c += raw.loadUnaligned(fromByteOffset: (i &+ 32) &* 4, as: SIMD16<Float>.self)
            d += raw.loadUnaligned(fromByteOffset: (i &+ 48) &* 4, as: SIMD16<Float>.self)
            i &+= 64
        }
        var total = ((a + b) + (c + d)).sum()
        while i < values.count {
            total += base[i]
            i &+= 1
        }
        return total
    }
}
