import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash isolation for inputs read through libhdf5: before `ptq inspect` or a ``CalibrationJob`` opens an
/// HDF5 file in-process, it runs ``executable`` as `EXECUTABLE _probe FILE` (the `ptq` binary, or any binary
/// built with `PTQCommandLine`, re-executing itself), which walks the file, opens every dataset, checks
/// each dataset's chunk index and streams every numeric dataset the index cannot vouch for, as
/// `ptq inspect --stats` does. libhdf5 can segfault on a damaged file (docs/libhdf5-crashers.md lists the
/// cases found here); in the child that costs only the child, and the batch reports the file and goes on
/// (with `--keep-going`) or stops.
///
/// The probe reads no value of a dataset whose every stored byte its index places within the file
/// (unfiltered Float32 in whole-row chunks, or contiguous; the usual activation and weight files) beyond a
/// few rows read through libhdf5: the in-process read maps or copies exactly those checked bytes. Filtered,
/// converted, sparse or damaged datasets are read completely, as before (from the page cache when the file
/// fits there). `PTQ_PROBE=full` streams every dataset (``readsAll``); `PTQ_PROBE=off` turns probing off
/// for trusted inputs; `PTQ_PROBE_TIMEOUT` (seconds) overrides the time limit (default 120 s + 10 s per GiB).
public struct FileProbe: Sendable {
    /// The binary that runs `_probe FILE` (a `ptq` built with `PTQCommandLine`).
    public var executable: String
    /// Bytes of Float32 per batch the child streams.
    public var batchBytes: Int
    /// Stream every numeric dataset in the child, also those whose chunk index vouches for them.
    public var readsAll: Bool

    /// A probe running `executable`.
    public init(executable: String, batchBytes: Int = 8 << 20, readsAll: Bool = false) {
        self.executable = executable
        self.batchBytes = batchBytes
        self.readsAll = readsAll
    }

    /// The probe that re-executes the running binary, or `nil` when `PTQ_PROBE=off` turns probing off;
    /// `PTQ_PROBE=full` makes it stream every dataset.
    public static var currentExecutable: FileProbe? {
        let setting = ProcessInfo.processInfo.environment["PTQ_PROBE"]
        guard setting != "off" else { return nil }
        return FileProbe(
            executable: Bundle.main.executablePath ?? CommandLine.arguments[0], readsAll: setting == "full")
    }

    /// The name of the hidden subcommand the child runs.
    public static let subcommand = "_probe"

    /// What the probe found.
    public enum Outcome: Hashable, Sendable {
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
    public struct Failure: Error, CustomStringConvertible, Hashable, Sendable {
        /// The file as given.
        public var file: String
        /// What happened.
        public var outcome: Outcome

        /// One line naming the file and what happened.
        public var description: String {
            switch outcome {
            case .crashed(let signal):
                "libhdf5 crashed (signal \(signal), \(Self.signalName(signal))) reading \(file): the file is damaged"
            case .timedOut(let seconds):
                """
                libhdf5 did not finish reading \(file) within \(seconds) s (killed): the file is damaged, or set \
                PTQ_PROBE_TIMEOUT
                """
            case .failed(_, let message):
                message.isEmpty ? "\(file): unreadable" : message
            case .readable:
                "\(file): readable"
            }
        }

        /// The exit code: the probe's own for a failure it reported, 65 (data) for a crash or a hang.
        public var exitCode: Int32 {
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

    /// Probes `path` in a child process and returns a ``Failure`` when the child crashed or timed out, or
    /// (with `refuseErrors`) when it reported any error; `nil` when the file may be opened in-process.
    ///
    /// `streamLimit`: datasets larger than this many bytes as Float32 are not streamed (weights the
    /// calibration refuses before reading them).
    public func check(_ path: String, refuseErrors: Bool, streamLimit: Int? = nil) -> Failure? {
        switch run(path, streamLimit: streamLimit) {
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
    func run(_ path: String, streamLimit: Int? = nil) -> Outcome {
        let manager = FileManager.default
        let log = manager.temporaryDirectory.appendingPathComponent("ptq-probe-\(getpid())-\(UUID().uuidString).log")
        guard manager.createFile(atPath: log.path, contents: nil) else { return .readable }
        defer { try? manager.removeItem(at: log) }
        let arguments =
            [Self.subcommand, "--batch-bytes", "\(batchBytes)"]
            + (streamLimit.map { ["--stream-limit", "\($0)"] } ?? []) + (readsAll ? ["--read-all"] : []) + ["--", path]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // die at once; the signal is what matters
        environment["PTQ_PROBE_PARENT"] = "\(getpid())"  // the probe ends with this process (see Probe)
        let seconds = Self.timeout(for: path)
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
            message: message.split(separator: "\n").first.map {
                String($0).replacingOccurrences(of: "ptq _probe: ", with: "")
            } ?? "")
    }
}
