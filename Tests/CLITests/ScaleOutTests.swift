import Foundation
import PTQKit
import Testing

/// Writes the bundled activations split into `parts` files of uneven rows (chunked by 8 rows, so shards
/// also cut inside files); returns the paths.
func writeSplitActivations(_ parts: Int, into directory: URL) throws -> [String] {
    let source = try File(PTQProcess.repository.appendingPathComponent("Calibration/activations.h5").path)
    let names = try source.walk().filter { $0.kind == .dataset }.map(\.path)
    var tables: [(String, [Int], [Float])] = []
    for name in names {
        let d = try source.openDataset(name)
        tables.append((name, d.shape, try d.read(as: Float.self)))
    }
    let rows = tables[0].1[0]
    let cuts = (0...parts).map { rows * $0 * $0 / (parts * parts) }
    var paths: [String] = []
    for p in 0..<parts {
        let path = directory.appendingPathComponent("acts-\(p).h5").path
        let file = try File(path, mode: .truncate)
        for (name, shape, values) in tables {
            let width = shape.dropFirst().reduce(1, *)
            let d = try file.createDataset(
                name, type: .float32, shape: [cuts[p + 1] - cuts[p]] + shape.dropFirst(),
                options: DatasetOptions(chunkShape: [8] + shape.dropFirst()))
            try d.write(Array(values[(cuts[p] * width)..<(cuts[p + 1] * width)]))
        }
        paths.append(path)
    }
    return paths
}

/// A scratch directory for one test.
func scratchDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The observers' states of a statistics file, as canonical JSON.
func statesJSON(_ path: String) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(StatisticsFile.read(path).body.statistics)
}

@Suite("Scale-out recipes")
struct ScaleOutTests {
    static let recipes = PTQProcess.repository.appendingPathComponent("Configs/scale-out")
    static func recipe(_ name: String) throws -> String {
        try String(contentsOf: recipes.appendingPathComponent(name), encoding: .utf8)
    }

    /// The command every recipe runs for shard K of N.
    static let observeLine =
        #"ptq observe --activations $ACTIVATIONS --config "$CONFIG" --shard "$K/$N""#
        + #" --output "$STATS/stats-$K.ptqstats" --quiet"#

    @Test func xargsRecipeObservesShardsInParallelAndMergesToTheSingleProcessStatistics() throws {
        let executable = try #require(PTQProcess.executable, "ptq was not built")
        let directory = try scratchDirectory("xargs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeSplitActivations(3, into: directory)
        let stats = directory.appendingPathComponent("stats").path
        let run = try PTQProcess.run(
            program: "/usr/bin/env",
            [
                "ACTIVATIONS=\(directory.path)/acts-*.h5", "CONFIG=Configs/int8.yaml", "STATS=\(stats)", "N=4", "P=2",
                "PTQ=\(executable.path)", "sh", "Configs/scale-out/observe-local.sh",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("4 of 4 shards"))
        let single = directory.appendingPathComponent("single.ptqstats").path
        let whole = try PTQProcess.run(
            ["observe", "--activations"] + files.reversed() + [
                "--config", "Configs/int8.yaml", "-o", single, "--quiet",
            ])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try statesJSON("\(stats)/all.ptqstats") == statesJSON(single))
        let merged = try StatisticsFile.read("\(stats)/all.ptqstats").body
        #expect(merged.shards == [0, 1, 2, 3] && merged.inputs.map(\.path) == files.sorted())
    }

    @Test func slurmArrayRecipeRunsTheSameCommandWithTheArrayTaskIndex() throws {
        let text = try Self.recipe("slurm-observe.sbatch")
        #expect(text.hasPrefix("#!/bin/bash"))
        #expect(text.contains("#SBATCH --array=0-"))
        #expect(text.contains("K=${SLURM_ARRAY_TASK_ID"))
        #expect(text.contains("N=${SHARDS:-${SLURM_ARRAY_TASK_COUNT"))
        #expect(text.contains(Self.observeLine))
        let merge = try Self.recipe("slurm-merge.sbatch")
        #expect(merge.contains(#"ptq merge "$STATS"/stats-*.ptqstats -o "$STATS/all.ptqstats""#))
        #expect(merge.contains(#"ptq calibrate --stats "$STATS/all.ptqstats""#))
        for name in ["slurm-observe.sbatch", "slurm-merge.sbatch", "observe-local.sh"] {
            let check = try PTQProcess.run(program: "/bin/sh", ["-n", "Configs/scale-out/\(name)"])
            #expect(check.status == 0, "\(name): \(check.stderr)")
        }
    }

    @Test func kubernetesIndexedJobRunsTheSameCommandWithTheCompletionIndex() throws {
        let text = try Self.recipe("k8s-observe-job.yaml")
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("kind: Job"))
        #expect(lines.contains("completionMode: Indexed"))
        #expect(lines.contains("restartPolicy: Never"))
        #expect(lines.contains("K=${JOB_COMPLETION_INDEX:?run as an Indexed Job}"))
        #expect(lines.contains(Self.observeLine))
        // N (the env value) equals completions
        let completions = try #require(lines.first { $0.hasPrefix("completions:") }?.split(separator: " ").last)
        let nIndex = try #require(lines.firstIndex(of: "- name: N"))
        #expect(lines[nIndex + 1] == "value: \"\(completions)\"")
        let merge = try Self.recipe("k8s-merge-job.yaml")
        #expect(merge.contains(#"ptq calibrate --stats "$STATS/all.ptqstats""#))
        // the container script parses as sh
        let script = text.components(separatedBy: "- |\n").last?.components(separatedBy: "resources:").first ?? ""
        let path = try scratchDirectory("k8s").appendingPathComponent("script.sh")
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        try script.write(to: path, atomically: true, encoding: .utf8)
        #expect(try PTQProcess.run(program: "/bin/sh", ["-n", path.path]).status == 0)
        #expect(script.contains("ptq observe"))
    }

    @Test func observeAndMergeReportFailuresWithTheirExitCodes() throws {
        let directory = try scratchDirectory("observe-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let acts = PTQProcess.repository.appendingPathComponent("Calibration/activations.h5").path
        func observe(_ shard: String, config: String = "Configs/int8.yaml") throws -> String {
            let out = directory.appendingPathComponent(
                "s\(shard.replacingOccurrences(of: "/", with: "-"))-\(config.count).ptqstats"
            ).path
            let r = try PTQProcess.run([
                "observe", "--activations", acts, "--config", config, "--shard", shard, "-o", out, "--quiet",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
        let s = try (0..<3).map { try observe("\($0)/3") }
        let out = directory.appendingPathComponent("all.ptqstats").path
        let bad = directory.appendingPathComponent("bad.ptqstats").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: s[1])))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let cases: [([String], Int32, String)] = [
            (["observe", "--activations", acts, "--shard", "3/3", "-o", out], 64, "zero-based"),
            ([s[0], s[1]], 65, "missing shard 2 of 3"),
            ([s[0], s[1], s[1], s[2]], 65, "shard 1 is covered twice"),
            ([s[0], try observe("1/3", config: "Configs/overrides.yaml"), s[2]], 78, "another configuration"),
            ([s[0], bad, s[2]], 65, "bad.ptqstats: corrupted"),
            ([s[0], try observe("1/2")], 65, "other inputs"),
        ]
        for (arguments, status, message) in cases {
            let r = try PTQProcess.run(arguments[0] == "observe" ? arguments : ["merge"] + arguments + ["-o", out])
            #expect(r.status == status, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        let partial = try PTQProcess.run(["merge", s[2], s[0], "--allow-partial", "-o", out])
        #expect(partial.status == 0 && partial.stderr.contains("missing shards 1"))
        #expect(try StatisticsFile.read(out).body.missingShards == [1])
    }
}
