import Foundation
import PTQKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash isolation for inputs read through libhdf5: before `ptq inspect` or `ptq calibrate` opens an HDF5
/// file in-process, `ptq` re-executes itself as `ptq _probe FILE` (see ``Probe``), which walks the file and
/// streams every numeric dataset once, exactly as `ptq inspect --stats` does. libhdf5 can segfault on a
/// damaged file (docs/libhdf5-crashers.md lists the cases found here); in the child that costs only the
/// child, and the batch reports the file and goes on (with `--keep-going`) or stops.
///
/// The probe reads each file once more (from the page cache when it fits there). `PTQ_PROBE=off` turns
/// probing off for trusted inputs; `PTQ_PROBE_TIMEOUT` (seconds) overrides the time limit
/// (default 120 s + 10 s per GiB of file).
enum FileProbe {
    /// What the probe found.
    enum Outcome: Equatable {
        /// The file was read completely without error.
        case readable
        /// The probe ended with an error (the exit code and the message it printed): the in-process read
        /// will report the same error.
        case failed(code: Int32, message: String)
        /// libhdf5 (or anything else in the child) died from this signal.
        case crashed(signal: Int32)
        /// The probe did not finish within this many seconds and was killed.
        case timedOut(seconds: Int)
    }

    /// Why a file is refused after probing: a crash or hang inside the child reading it. Reported as a
    /// data error (exit 65).
    struct Failure: Error, CustomStringConvertible {
        /// The file as given.
        var file: String
        /// What happened.
        var outcome: Outcome

        var description: String {
            switch outcome {
            case .crashed(let signal):
                "libhdf5 crashed (signal \(signal), \(Self.signalName(signal))) reading \(file): the file is damaged"
            case .timedOut(let seconds):
                "libhdf5 did not finish reading \(file) within \(seconds) s (killed): the file is damaged, or set PTQ_PROBE_TIMEOUT"
            case .failed(_, let message):
                message.isEmpty ? "\(file): unreadable" : message
            case .readable:
                "\(file): readable"
            }
        }

        /// The exit code: the probe's own for a failure it reported, 65 (data) for a crash or a hang.
        var exitCode: Int32 {
            if case .failed(let code, _) = outcome { return code }
            return 65
        }

        static func signalName(_ signal: Int32) -> String {
            switch signal {
            case SIGSEGV: "SIGSEGV"
            case SIGBUS: "SIGBUS"
            case SIGABRT: "SIGABRT"
            case SIGFPE: "SIGFPE"
            case SIGILL: "SIGILL"
            case SIGTRAP: "SIGTRAP"
            case SIGKILL: "SIGKILL"
            default: "signal \(signal)"
            }
        }
    }

    /// Whether probing is on (`PTQ_PROBE=off` turns it off).
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["PTQ_PROBE"] != "off" }

    /// Probes `path` in a child process and returns a ``Failure`` when the child crashed or timed out, or
    /// (with `refuseErrors`) when it reported any error; `nil` when the file may be opened in-process.
    /// `streamLimit`: datasets larger than this as Float32 are not streamed (weights the calibration
    /// refuses before reading them).
    static func check(
        _ path: String, refuseErrors: Bool, batchBytes: Int = 8 << 20, streamLimit: Int? = nil
    ) -> Failure? {
        guard isEnabled else { return nil }
        switch run(path, batchBytes: batchBytes, streamLimit: streamLimit) {
        case .readable: return nil
        case .failed where !refuseErrors: return nil
        case let outcome: return Failure(file: path, outcome: outcome)
        }
    }

    /// The seconds a probe of `path` may take.
    static func timeout(for path: String) -> Int {
        if let text = ProcessInfo.processInfo.environment["PTQ_PROBE_TIMEOUT"], let seconds = Int(text), seconds > 0 {
            return seconds
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return 120 + 10 * (bytes >> 30)
    }

    /// Runs `ptq _probe path` and classifies how it ended. A probe that cannot be started counts as
    /// readable (the in-process read then reports whatever is wrong).
    static func run(_ path: String, batchBytes: Int, streamLimit: Int? = nil) -> Outcome {
        let manager = FileManager.default
        let log = manager.temporaryDirectory.appendingPathComponent("ptq-probe-\(getpid())-\(UUID().uuidString).log")
        guard manager.createFile(atPath: log.path, contents: nil) else { return .readable }
        defer { try? manager.removeItem(at: log) }
        let arguments =
            [Probe.configuration.commandName ?? "_probe", "--batch-bytes", "\(batchBytes)"]
            + (streamLimit.map { ["--stream-limit", "\($0)"] } ?? []) + ["--", path]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // die at once; the signal is what matters
        environment["PTQ_PROBE_PARENT"] = "\(getpid())"  // the probe ends with this process (see Probe)
        let seconds = timeout(for: path)
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        guard
            let ending = ProbeChild.run(
                executable, arguments, environment: environment, stderr: log.path, seconds: seconds)
        else { return .readable }
        let status: Int32
        switch ending {
        case .timedOut: return .timedOut(seconds: seconds)
        case .signal(let signal): return .crashed(signal: signal)
        case .exit(let code): status = code
        }
        if status == 0 { return .readable }
        let message = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return .failed(
            code: status,
            message: message.split(separator: "\n").first.map { String($0).replacingOccurrences(of: "ptq _probe: ", with: "") } ?? "")
    }
}
