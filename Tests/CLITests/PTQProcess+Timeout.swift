import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

#if os(Linux)
extension PTQProcess {
    /// How a timed run ended.
    enum Ending: Hashable, CustomStringConvertible {
        /// The process exited with this code.
        case exit(Int32)
        /// The process died from this signal.
        case signal(Int32)
        /// The process ran past the limit and was killed.
        case timeout

        var description: String {
            switch self {
            case .exit(let code): "exit \(code)"
            case .signal(let signal): "signal \(signal)"
            case .timeout: "timeout"
            }
        }
    }

    /// Runs `ptq arguments...` with `environment` added, killing it after `seconds`; returns how it ended
    /// and its stderr.
    static func run(_ arguments: [String], environment: [String: String], timeout seconds: Double) throws
        -> (ending: Ending, stderr: String)
    {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-timed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let errURL = scratch.appendingPathComponent("stderr")
        let pid = try start(arguments, stdout: "/dev/null", stderr: errURL.path, environment: environment)
        let deadline = Date(timeIntervalSinceNow: seconds)
        var status: Int32 = 0
        var ending: Ending?
        while ending == nil {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                ending = status & 0x7f == 0 ? .exit((status >> 8) & 0xff) : .signal(status & 0x7f)
            } else if reaped < 0, errno != EINTR {
                ending = .exit(-1)
            } else if Date() > deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                ending = .timeout
            } else {
                usleep(2000)
            }
        }
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return (ending ?? .timeout, stderr)
    }
}
#endif
