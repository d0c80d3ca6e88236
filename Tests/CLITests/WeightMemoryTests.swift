import Foundation
import PTQKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Memory of weights-only jobs, measured as the peak resident set of the `ptq calibrate` child
/// (`wait4`'s `ru_maxrss`; the crash probe runs in a process of its own and is off here): per-dataset
/// state stays small (issue #20: 100k tiny datasets took 1.8 GB, about 19 KB each), and a weight larger
/// than the memory budget is streamed in blocks instead of refused or read whole (issue #17, item 3).
@Suite(.serialized) struct WeightMemoryTests {
    /// Writes `count` datasets `/layer<i>/weight` of 4 × 4 float32 values to a new file at `path`.
    static func writeTinyWeights(_ count: Int, to path: String) throws {
        let file = try File(path, mode: .truncate)
        for i in 0..<count {
            let dataset = try file.createDataset("/layer\(i)/weight", type: .float32, shape: [4, 4])
            try dataset.write((0..<16).map { Float(($0 * 7 + i) % 13) / 13 - 0.5 })
        }
    }

    /// Runs `ptq arguments...` without the probe; its exit status and peak resident set in bytes.
    static func peakResidentBytes(_ arguments: [String]) throws -> (status: Int32, bytes: Int) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-rss-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pid = try PTQProcess.start(
            arguments, stdout: "\(scratch)/out", stderr: "\(scratch)/err", environment: ["PTQ_PROBE": "off"])
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let stderr = (try? String(contentsOfFile: "\(scratch)/err", encoding: .utf8)) ?? ""
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        #expect(exit == 0 || arguments.contains("--memory-budget"), "\(stderr)")
        return (exit, usage.ru_maxrss * 1024)  // ru_maxrss is in KiB on Linux
    }

    @Test func manyTinyDatasetsTakeLittleMemoryEach() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-tiny-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var peaks: [Int: Int] = [:]
        for count in [500, 3500] {
            try Self.writeTinyWeights(count, to: "\(scratch)/w\(count).h5")
            let run = try Self.peakResidentBytes([
                "calibrate", "--quiet", "--threads", "1", "--weights", "\(scratch)/w\(count).h5", "--output",
                "\(scratch)/p\(count)",
            ])
            try #require(run.status == 0)
            peaks[count] = run.bytes
        }
        // Before: about 19 KB more per dataset (the manifest's whole encoder tree and text, a JSON
        // round trip per layer's policy, the weights file reopened per tensor); now about 9 KB.
        let perDataset = Double((peaks[3500] ?? 0) - (peaks[500] ?? 0)) / 3000
        #expect(perDataset < 13_000, "\(Int(perDataset)) bytes of peak resident memory per dataset")
    }

    @Test func aWeightLargerThanTheBudgetIsStreamedInBoundedMemory() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-stream-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // 64 MiB of float32 declared, its chunks never written: read as the fill value 0.
        let big = "\(scratch)/big.h5"
        do {
            let file = try File(big, mode: .truncate)
            _ = try file.createDataset(
                "/fc/weight", type: .float32, shape: [4096, 4096], options: DatasetOptions(chunkShape: [256, 4096]))
        }
        let small = "\(scratch)/small.h5"
        try Self.writeTinyWeights(1, to: small)
        let base = try Self.peakResidentBytes(["calibrate", "--quiet", "--weights", small, "--output", "\(scratch)/s"])
        // Read whole it took about 3.5 × 64 MiB at the peak; streamed, a few 4 MiB blocks.
        let streamed = try Self.peakResidentBytes([
            "calibrate", "--quiet", "--weights", big, "--output", "\(scratch)/b",
        ])
        #expect(streamed.status == 0)
        #expect(streamed.bytes - base.bytes < 48 << 20, "\(streamed.bytes - base.bytes) bytes above a tiny job")
        // Before, a weight above --memory-budget was refused (exit 65); now it streams in blocks of an eighth.
        let budgeted = try Self.peakResidentBytes([
            "calibrate", "--quiet", "--weights", big, "--output", "\(scratch)/m", "--memory-budget", "16M",
        ])
        #expect(budgeted.status == 0)
        #expect(budgeted.bytes - base.bytes < 32 << 20, "\(budgeted.bytes - base.bytes) bytes above a tiny job")
        let manifest = try PTQProcess.json(try String(contentsOfFile: "\(scratch)/m/manifest.json", encoding: .utf8))
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        let tensors = try #require(layers.first?["tensors"] as? [[String: Any]])
        #expect(tensors.first?["stored_shape"] as? [Int] == [4096, 4096])
    }
}
