import Foundation
import Testing

/// A file on which libhdf5 itself crashes must not take down a batch: `ptq` probes each HDF5 input in a
/// child process first, reports "libhdf5 crashed (signal N) reading FILE" (exit 65) and stops, or with
/// `--keep-going` skips the file and finishes the others. The crashers are in Tests/Fixtures/hdf5-crashers/
/// (docs/libhdf5-crashers.md).
// Skipped under `make check-sanitizers` (PTQ_SANITIZER set): with ASan's allocator the crasher files do
// not crash libhdf5 in the probe the same way (the probe passes, the in-process read then dies), so the
// isolation these tests prove cannot be observed there.
@Suite(
    .disabled(
        if: ProcessInfo.processInfo.environment["PTQ_SANITIZER"] != nil, "libhdf5's crashes differ under sanitizers"))
struct CrashIsolationTests {
    static let crashers: [String] = {
        let directory = PTQProcess.repository.appendingPathComponent("Tests/Fixtures/hdf5-crashers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { "Tests/Fixtures/hdf5-crashers/\($0)" }
    }()
    static let shards = (0..<3).map { "Tests/Fixtures/hdf5/shards/shard_00\($0).h5" }

    @Test func crashersAreCommitted() {
        #expect(!Self.crashers.isEmpty)
    }

    /// Without the probe the file really kills the process (so the other tests prove the isolation).
    @Test(arguments: crashers) func withoutTheProbeLibhdf5Crashes(crasher: String) throws {
        #if os(Linux)
        let (ending, _) = try PTQProcess.run(
            ["inspect", "--stats", crasher], environment: ["PTQ_PROBE": "off", "SWIFT_BACKTRACE": "enable=no"],
            timeout: 60)
        guard case .signal = ending else {
            Issue.record("\(crasher) no longer crashes libhdf5 (\(ending)): update docs/libhdf5-crashers.md")
            return
        }
        #endif
    }

    /// The committed crasher crashes inside libhdf5 (gdb), which is what lets MutationTests tell a libhdf5
    /// crash from one in PTQKit's own code.
    @Test(.enabled(if: CrashSite.gdb != nil, "needs gdb"), arguments: crashers)
    func theCrashIsInsideLibhdf5(crasher: String) throws {
        let site = try #require(try CrashSite.locate(crasher))
        #expect(site.isInsideLibhdf5, "\(crasher): \(site)")
        #expect(site.signal == "SIGSEGV")
    }

    /// The classifier on gdb output of both kinds: a libhdf5 fault is inside libhdf5; a Swift trap, or a
    /// fault whose innermost non-libc frame is ptq's, is not (MutationTests then fails).
    @Test func crashSiteTellsLibhdf5FromPTQKit() {
        let libhdf5 = """
            Program received signal SIGSEGV, Segmentation fault.
            #0  __memcpy_avx512_unaligned_erms () at ../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:350
            #1  0x00007ffff7ec1f1e in H5VM_memcpyvv () from /lib/x86_64-linux-gnu/libhdf5_serial.so.103
            #2  0x00007ffff7ccea36 in H5D__select_read () from /lib/x86_64-linux-gnu/libhdf5_serial.so.103
            """
        #expect(CrashSite.parse(libhdf5).isInsideLibhdf5)
        // With several threads running (libdispatch's), gdb names the thread instead of the program.
        let threaded = libhdf5.replacingOccurrences(
            of: "Program received signal", with: "Thread 1 \"ptq\" received signal")
        #expect(CrashSite.parse(threaded).isInsideLibhdf5)
        #expect(CrashSite.parse(threaded).signal == "SIGSEGV")
        let ownFault = """
            Program received signal SIGSEGV, Segmentation fault.
            #0  __memcpy_avx512_unaligned_erms () at ../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:350
            #1  0x0000555555a1b2c3 in TensorSource.readBatch() () at /src/Sources/TensorIO/TensorSource.swift:210
            #2  0x00007ffff7ccea36 in H5D__select_read () from /lib/x86_64-linux-gnu/libhdf5_serial.so.103
            """
        #expect(!CrashSite.parse(ownFault).isInsideLibhdf5)
        let trap = """
            Program received signal SIGILL, Illegal instruction.
            #0  0x00007ffff7ec1f1e in H5VM_memcpyvv () from /lib/x86_64-linux-gnu/libhdf5_serial.so.103
            """
        #expect(!CrashSite.parse(trap).isInsideLibhdf5)
        #expect(!CrashSite.parse("[Inferior 1 (process 7) exited normally]").isInsideLibhdf5)
    }

    @Test(arguments: crashers) func inspectStopsAtTheCrasher(crasher: String) throws {
        let result = try PTQProcess.run(["inspect", "--stats", "--json", Self.shards[0], crasher, Self.shards[1]])
        #expect(result.status == 65)
        #expect(result.stderr.contains("libhdf5 crashed (signal"), "\(result.stderr)")
        #expect(result.stderr.contains("reading \(crasher)"))
        let entries = try PTQProcess.entries(PTQProcess.json(result.stdout))
        #expect(Set(entries.keys) == [Self.shards[0]])
    }

    @Test(arguments: crashers) func inspectKeepsGoingPastTheCrasher(crasher: String) throws {
        let result = try PTQProcess.run([
            "inspect", "--stats", "--json", "--keep-going", Self.shards[0], crasher, Self.shards[1],
        ])
        #expect(result.status == 65)
        #expect(result.stderr.contains("libhdf5 crashed (signal"), "\(result.stderr)")
        let entries = try PTQProcess.entries(PTQProcess.json(result.stdout))
        #expect(Set(entries.keys) == [Self.shards[0], Self.shards[1]])
        #expect(entries[Self.shards[1]]?["/x"]?["stats"] is [String: Any])
    }

    @Test(arguments: crashers) func calibrateStopsWithoutOutput(crasher: String) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-crash-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try PTQProcess.run([
            "calibrate", "--quiet", "--activations", Self.shards[0], crasher, "--output", output,
        ])
        #expect(result.status == 65)
        #expect(result.stderr.contains("libhdf5 crashed (signal"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let weights = try PTQProcess.run(["calibrate", "--quiet", "--weights", crasher, "--output", output])
        #expect(weights.status == 65)
        #expect(weights.stderr.contains("libhdf5 crashed (signal"), "\(weights.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// With --keep-going the package is written from the other shards (the same as a run without the
    /// crasher) and the exit code is still the crash's.
    @Test(arguments: crashers) func calibrateKeepsGoingFromTheOtherShards(crasher: String) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let kept = scratch.appendingPathComponent("kept").path
        let clean = scratch.appendingPathComponent("clean").path
        let result = try PTQProcess.run(
            [
                "calibrate", "--quiet", "--keep-going", "--activations", Self.shards[0], crasher, Self.shards[2],
                "--output", kept,
            ])
        #expect(result.status == 65)
        #expect(result.stderr.contains("(skipped with --keep-going)"), "\(result.stderr)")
        let reference = try PTQProcess.run([
            "calibrate", "--quiet", "--activations", Self.shards[0], Self.shards[2], "--output", clean,
        ])
        #expect(reference.status == 0, "\(reference.stderr)")
        let keptManifest = try Data(contentsOf: URL(fileURLWithPath: "\(kept)/manifest.json"))
        let cleanManifest = try Data(contentsOf: URL(fileURLWithPath: "\(clean)/manifest.json"))
        #expect(keptManifest == cleanManifest)
        #expect(!String(decoding: keptManifest, as: UTF8.self).contains(crasher))
    }

    /// --keep-going with nothing left fails with the crash's code and writes nothing.
    @Test func calibrateWithOnlyCrashersWritesNothing() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-crash-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try PTQProcess.run(
            ["calibrate", "--quiet", "--keep-going", "--activations"] + Self.crashers + ["--output", output])
        #expect(result.status == 65)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// A file that takes minutes to stream (a damaged extent over unwritten chunks) is cut off by the
    /// probe's time limit and skipped with --keep-going.
    @Test func probeTimeLimitStopsASlowFile() throws {
        #if os(Linux)
        let slow = "Tests/Fixtures/hdf5-crashers/slow/huge-extent-unallocated-chunks.h5"
        let (ending, stderr) = try PTQProcess.run(
            ["inspect", "--stats", "--keep-going", slow, Self.shards[1]], environment: ["PTQ_PROBE_TIMEOUT": "1"],
            timeout: 60)
        #expect(ending == .exit(65))
        #expect(stderr.contains("libhdf5 did not finish reading \(slow) within 1 s"), "\(stderr)")
        #endif
    }
}
