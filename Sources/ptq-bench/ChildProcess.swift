import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program as a child process and reports its output, exit status and peak resident memory
/// (`ru_maxrss` from `wait4`, so each benchmark row's memory is its own process's).
enum ChildProcess {
    /// The outcome of one run.
    struct Result {
        var status: Int32
        var stdout: String
        /// Peak resident set size of the child, in bytes.
        var peakRSS: Int
        /// User + system CPU seconds of the child (all its runs, warm-up included).
        var cpuSeconds: Double
    }

    /// Runs `executable arguments...`, its stdout captured through a file, stderr inherited.
    static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchError.spawn(executable, spawned) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError.spawn(executable, errno) }
        }
        // WIFEXITED/WEXITSTATUS are macros: exit code in bits 8–15 when the low 7 bits are zero.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self)
        // Linux reports ru_maxrss in KiB.
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
        return Result(status: code, stdout: text, peakRSS: Int(usage.ru_maxrss) * 1024, cpuSeconds: cpu)
    }

    /// The path of a program found on `PATH`, or `nil`.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

/// A benchmark failure, with what failed.
enum BenchError: Error, CustomStringConvertible {
    case spawn(String, Int32)
    case child(String, Int32, String)
    case usage(String)

    var description: String {
        switch self {
        case .spawn(let program, let code): "cannot start \(program): error \(code)"
        case .child(let name, let status, let output): "\(name) exited with status \(status): \(output)"
        case .usage(let text): text
        }
    }
}
