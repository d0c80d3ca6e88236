import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

#if os(Linux)
/// The probe child (`ptq _probe`, see `FileProbe`) ends with the `ptq` that started it (issue 20: after
/// SIGINT or SIGTERM it went on reading, orphaned, until its own time limit).
@Suite struct ProbeLifetimeTests {
    /// The pid of a child of `parent`, waiting up to `seconds` for one to appear.
    static func child(of parent: pid_t, seconds: Double) -> pid_t? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = pid_t(entry), let fields = stat(of: pid), fields.parent == parent else { continue }
                return pid
            }
            usleep(20_000)
        }
        return nil
    }

    /// The state letter and parent pid from `/proc/pid/stat` (`nil` once the process is gone).
    static func stat(of pid: pid_t) -> (state: Character, parent: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so split after the last ')'.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return (state, parent)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func probeEndsWithItsParent(signal: Int32) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // 8 GiB of fill values to stream: the probe runs for minutes.
        let pid = try PTQProcess.start(
            ["inspect", "--stats", "Tests/Fixtures/badinput/weights_declared_8gib.h5"],
            stdout: scratch.appendingPathComponent("out").path, stderr: scratch.appendingPathComponent("err").path)
        guard let probe = Self.child(of: pid, seconds: 60) else {
            kill(pid, SIGKILL)
            _ = PTQProcess.waitForExit(pid)
            Issue.record("no probe child appeared")
            return
        }
        defer { kill(probe, SIGKILL) }
        usleep(200_000)  // the probe is past its start-up
        kill(pid, signal)
        #expect(PTQProcess.waitForExit(pid) == 128 + signal)
        // Dead (a zombie until init reaps it, or gone) within a few seconds.
        let deadline = Date(timeIntervalSinceNow: 10)
        var ended = false
        while !ended, Date() < deadline {
            ended = Self.stat(of: probe).map { $0.state == "Z" || $0.state == "X" } ?? true
            if !ended { usleep(20_000) }
        }
        #expect(ended, "the probe \(probe) outlived ptq")
    }
}
#endif
