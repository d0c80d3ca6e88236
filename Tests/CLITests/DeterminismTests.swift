import Foundation
import PTQKit
import Testing

/// Issue 7 item 4: `ptq calibrate` writes byte-identical packages (every file) across `--threads` 1, 2
/// and 8, across batch sizes, and across the order of activation shard files on the command line; for
/// every built-in observer kind, each in its own configuration (weights and activations observed alike).
@Suite struct DeterminismTests {
    /// One observer configuration.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// The `observer:` value used for weights and activations.
        var observer: String
        /// The weights' granularity (activations are always per tensor).
        var weightGranularity = "per-tensor"
        /// Whether observing the same rows in other batches must give the same package (not for a moving
        /// average, which depends on the batches by definition).
        var batchInvariant = true

        var testDescription: String { name }

        var yaml: String {
            """
            version: 1
            weights: {observer: \(observer), granularity: \(weightGranularity), axis: 0, scheme: auto}
            activations: {observer: \(observer), scheme: auto}
            """
        }
    }

    static let cases: [Case] = [
        Case(name: "minmax", observer: "minmax"),
        Case(name: "per-channel", observer: "minmax", weightGranularity: "per-channel"),
        Case(name: "histogram", observer: "histogram"),
        Case(
            name: "percentile", observer: "{name: percentile, options: {percentile: 99.9}}",
            weightGranularity: "per-channel"),
        Case(name: "mse", observer: "mse", weightGranularity: "per-channel"),
        Case(name: "entropy", observer: "{name: entropy, options: {bins: 2048, startBin: 64}}"),
        Case(
            name: "moving-average", observer: "{name: moving-average-minmax, options: {averagingConstant: 0.3}}",
            batchInvariant: false),
    ]

    static let weights = "Calibration/weights.h5"
    static let activations = "Calibration/activations.h5"

    /// A scratch directory holding the case's configuration file, and that file's path.
    static func scratch(for c: Case) throws -> (CalibrateTests.Scratch, String) {
        let scratch = try CalibrateTests.Scratch()
        let config = "\(scratch.path)/config.yaml"
        try c.yaml.write(toFile: config, atomically: true, encoding: .utf8)
        return (scratch, config)
    }

    /// Runs `ptq calibrate` into `scratch/name` and returns the package path.
    static func calibrate(_ arguments: [String], config: String, scratch: CalibrateTests.Scratch, name: String) throws
        -> String
    {
        let output = "\(scratch.path)/\(name)"
        try CalibrateTests.calibrate(["--weights", weights, "--config", config, "--output", output] + arguments)
        return output
    }

    /// Rows per batch in the multi-threaded runs: the bundled activations' 300 rows make 19 batches per
    /// dataset, more than the 8 threads of the largest run, so the batches spread over the workers (with the
    /// default 8 MiB batches the whole dataset is one batch, which one worker observes alone).
    static let spreadRows = 16

    /// Runs `ptq arguments` with the progress trace on (`PTQ_TEST_TRACE_PROGRESS`), requires success and
    /// returns the number of batches read per activation dataset.
    static func batchesPerDataset(_ arguments: [String]) throws -> [String: Int] {
        #if os(Linux)
        let (ending, stderr) = try PTQProcess.run(
            arguments, environment: ["PTQ_TEST_TRACE_PROGRESS": "1"], timeout: 600)
        try #require(ending == .exit(0), "ptq \(arguments): \(ending): \(stderr)")
        var counts: [String: Int] = [:]
        for line in stderr.split(separator: "\n") {
            // "ptq: test hook: observing activations: DATASET DONE/TOTAL" (calibrate) or
            // "ptq: test hook: observing shard 0/1: DATASET DONE/TOTAL" (observe).
            guard line.hasPrefix("ptq: test hook: observing "), let colon = line.lastIndex(of: ":") else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ")
            if fields.count == 2 { counts[String(fields[0]), default: 0] += 1 }
        }
        return counts
        #else
        try #require(Bool(false), "the batch trace runs on Linux only")
        return [:]
        #endif
    }

    /// Expects every dataset of `counts` (and at least one) to have been read in more batches than `threads`.
    static func expectSpread(_ counts: [String: Int], threads: Int, _ what: String) {
        #expect(!counts.isEmpty, "\(what): no activation batches traced")
        for (dataset, batches) in counts.sorted(by: { $0.key < $1.key }) {
            #expect(
                batches > threads,
                "\(what): \(dataset) was read in \(batches) batches, not more than \(threads) threads")
        }
    }

    /// Expects `package` to hold exactly `reference`'s files with the same bytes.
    static func expectIdentical(_ package: String, to reference: [String: Data], _ what: String) throws {
        let mine = try packageFiles(package)
        #expect(mine.keys.sorted() == reference.keys.sorted(), "\(what): other files")
        for (name, bytes) in reference.sorted(by: { $0.key < $1.key }) {
            #expect(mine[name] == bytes, "\(what): \(name) differs")
        }
    }

    /// Writes the bundled activations as three shard files of uneven row counts, named so that sorting by
    /// path does not restore the row order; returns their paths in row order.
    static func writeShards(in directory: String) throws -> [String] {
        let source = try File(PTQProcess.repository.appendingPathComponent(activations).path)
        let cuts = [0..<90, 90..<210, 210..<300]
        let paths = ["s2.h5", "s0.h5", "s1.h5"].map { "\(directory)/\($0)" }
        for (path, rows) in zip(paths, cuts) {
            let file = try File(path, mode: .create)
            for name in ["fc1", "fc2", "fc3"] {
                let dataset = try source.openDataset(name)
                let values: [Float] = try dataset.read(rows: rows)
                let shape = [rows.count] + dataset.shape.dropFirst()
                // Chunks of 32 rows: batches of some sizes read whole chunks, others hyperslabs.
                let written = try file.createDataset(
                    name, type: .float32, shape: shape,
                    options: DatasetOptions(chunkShape: [32] + dataset.shape.dropFirst()))
                try written.write(values)
            }
        }
        return paths
    }

    /// 1, 2 and 8 threads over batches of ``spreadRows`` (19 per dataset, checked from the progress trace),
    /// then other batch sizes and a memory budget.
    @Test(arguments: cases)
    func threadsAndBatchSizesGiveByteIdenticalPackages(_ c: Case) throws {
        let (scratch, config) = try Self.scratch(for: c)
        defer { scratch.remove() }
        let acts = ["--activations", Self.activations, "--batch-rows", "\(Self.spreadRows)"]
        let reference = try packageFiles(
            Self.calibrate(acts + ["--threads", "1"], config: config, scratch: scratch, name: "t1"))
        #expect(reference.keys.sorted() == ["manifest.json", "skeleton.h5", "summary.md", "tensors.h5"])
        for threads in [2, 8] {
            let package = "\(scratch.path)/t\(threads)"
            let counts = try Self.batchesPerDataset(
                [
                    "calibrate", "--quiet", "--weights", Self.weights, "--config", config, "--output", package,
                    "--threads", "\(threads)",
                ]
                    + acts)
            #expect(counts.keys.sorted() == ["/fc1", "/fc2", "/fc3"], "\(counts)")
            Self.expectSpread(counts, threads: threads, "\(c.name), \(threads) threads")
            try Self.expectIdentical(package, to: reference, "\(c.name), \(threads) threads")
        }
        // The default batch (the whole dataset), 1 row, 7 (does not divide the 300 rows), 64 (the stored
        // chunk); on 1 to 3 threads.
        let batches: [(rows: Int?, threads: Int)] = c.batchInvariant ? [(nil, 1), (1, 3), (7, 1), (7, 3), (64, 2)] : []
        for (rows, threads) in batches {
            let package = try Self.calibrate(
                ["--activations", Self.activations] + (rows.map { ["--batch-rows", "\($0)"] } ?? []) + [
                    "--threads", "\(threads)",
                ],
                config: config, scratch: scratch, name: "b\(rows ?? 0)-t\(threads)")
            try Self.expectIdentical(
                package, to: reference,
                "\(c.name), \(rows.map(String.init) ?? "default")-row batches, \(threads) threads")
        }
        // A memory budget shrinks the batches (4 buffers of 8 KiB: 16 to 32 rows here); it also bounds each
        // weight, and 32 KiB holds the largest (fc1, 32 KiB as Float32).
        let budgeted = try Self.calibrate(
            ["--activations", Self.activations, "--memory-budget", "32K", "--threads", "2"], config: config,
            scratch: scratch,
            name: "budget")
        if c.batchInvariant { try Self.expectIdentical(budgeted, to: reference, "\(c.name), 32K memory budget") }
    }

    @Test(arguments: cases)
    func shardOrderGivesByteIdenticalPackages(_ c: Case) throws {
        let (scratch, config) = try Self.scratch(for: c)
        defer { scratch.remove() }
        let shards = try Self.writeShards(in: scratch.path)
        let orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0]]
        var first: [String: Data]?
        for (i, order) in orders.enumerated() {
            // Batches of 32 rows: 3 + 4 + 3 per dataset over the shards, more than the 1 to 3 threads.
            let package = "\(scratch.path)/order\(i)"
            let counts = try Self.batchesPerDataset(
                [
                    "calibrate", "--quiet", "--weights", Self.weights, "--config", config, "--output", package,
                    "--activations",
                ]
                    + order.map { shards[$0] } + ["--threads", "\(i + 1)", "--batch-rows", "32"])
            #expect(counts.values.allSatisfy { $0 == 10 }, "\(c.name), shard order \(order): batches \(counts)")
            Self.expectSpread(counts, threads: i + 1, "\(c.name), shard order \(order)")
            if let first {
                try Self.expectIdentical(package, to: first, "\(c.name), shard order \(order)")
            } else {
                first = try packageFiles(package)
            }
        }
        guard c.batchInvariant, let sharded = first else { return }
        // The same rows in one file give the same tensors and layer records (the inputs differ).
        let single = try Self.calibrate(
            ["--activations", Self.activations], config: config, scratch: scratch, name: "single")
        #expect(
            try packageFiles(single)["tensors.h5"] == sharded["tensors.h5"],
            "\(c.name): tensors.h5 differs from one file")
        #expect(
            try CalibrateTests.manifest(single).layers == CalibrateTests.manifest("\(scratch.path)/order0").layers,
            "\(c.name): layer records differ from one file")
    }

    /// `ptq observe` saves byte-identical statistics on 1 thread (one batch per dataset), on 8 threads over
    /// 19 batches per dataset, and on 2 over 43; also with input moments (per-feature, and fc2's Gram).
    @Test(arguments: ["Configs/w8a8-per-channel.yaml", "Tests/Fixtures/export/w8a8-moments.yaml"])
    func observeIsIndependentOfThreadsAndBatches(config: String) throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        var outputs: [Data] = []
        let runs: [(threads: Int, rows: Int?)] = [(1, nil), (8, Self.spreadRows), (2, 7)]
        for (i, (threads, rows)) in runs.enumerated() {
            let output = "\(scratch.path)/s\(i).ptqstats"
            let counts = try Self.batchesPerDataset(
                [
                    "observe", "--quiet", "--activations", Self.activations, "--config", config, "-o", output,
                    "--threads", "\(threads)",
                ] + (rows.map { ["--batch-rows", "\($0)"] } ?? []))
            if threads > 1 { Self.expectSpread(counts, threads: threads, "observe, \(threads) threads") }
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }

    /// A budget too small for one row per batch buffer is a usage error naming the dataset; nothing is
    /// written. Malformed sizes and thread counts are refused by the parser.
    @Test func tooSmallBudgetsAndBadValuesAreUsageErrors() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let output = "\(scratch.path)/p"
        // --threads 2: 4 buffers; a /fc2 row is 128 floats (512 bytes), so 2 KiB are needed.
        let small = try PTQProcess.run(
            [
                "calibrate", "--quiet", "--activations", Self.activations, "--threads", "2", "--memory-budget", "2047",
                "--output", output,
            ])
        #expect(small.status == 64)
        #expect(small.stderr.contains("/fc2") && small.stderr.contains("2048"), "\(small.stderr)")
        for bad in [
            ["--memory-budget", "0"], ["--memory-budget", "12X"], ["--memory-budget", "-1K"], ["--threads", "0"],
            ["--batch-rows", "0"],
        ] {
            let result = try PTQProcess.run(
                ["calibrate", "--quiet", "--activations", Self.activations, "--output", output] + bad)
            #expect(result.status == 64, "\(bad): \(result.stderr)")
        }
        #expect(try scratch.entries() == [])
        try CalibrateTests.calibrate([
            "--activations", Self.activations, "--threads", "2", "--memory-budget", "2K", "--output", output,
        ])
    }
}
