import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts the probe child with `posix_spawn` and waits for it with `waitpid`, killing it after a time
/// limit. Not Foundation's `Process`: its end-of-child notice travels through a SIGCHLD handler, a
/// socket pair and a run-loop thread, and under a tight `ulimit -v` that notice was lost (the child a
/// zombie, `isRunning` true forever); it also costs descriptors a run short of them cannot spare.
enum ProbeChild {
    /// How the child ended.
    enum Ending: Equatable {
        /// It exited with this status.
        case exit(Int32)
        /// A signal killed it.
        case signal(Int32)
        /// It ran past the limit and was killed (SIGKILL).
        case timedOut
    }

    /// Runs `executable arguments...` with `environment`, stdin and stdout on `/dev/null` and stderr into
    /// the file `stderr`; `nil` when it cannot be started.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stderr: String, seconds: Int
    ) -> Ending? {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // glibc ≥ 2.34: close every other inherited descriptor (an HDF5 file's flock lock must not live on
        // in the child). Looked up by name: Swift's Glibc module does not import it.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        }
        // The child starts with no blocked signals and SIGINT/SIGTERM at their default action.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        sigaddset(&interrupts, SIGINT)
        sigaddset(&interrupts, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &interrupts)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, &actions, &attributes, argv, envp) == 0 else { return nil }
        let deadline = Date(timeIntervalSinceNow: TimeInterval(seconds))
        var status: Int32 = 0
        var killed = false
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { return nil }
            if !killed, Date() > deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(1000)
        }
        if killed { return .timedOut }
        // WIFEXITED: low 7 bits zero, WEXITSTATUS bits 8-15; otherwise the signal is the low 7 bits.
        return status & 0x7f == 0 ? .exit((status >> 8) & 0xff) : .signal(status & 0x7f)
        #else
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard let log = FileHandle(forWritingAtPath: stderr) else { return nil }
        process.standardError = log
        do { try process.run() } catch { return nil }
        try? log.close()
        let deadline = Date(timeIntervalSinceNow: TimeInterval(seconds))
        var killed = false
        while process.isRunning {
            if !killed, Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
            usleep(1000)
        }
        process.waitUntilExit()
        if killed { return .timedOut }
        if process.terminationReason == .uncaughtSignal { return .signal(process.terminationStatus) }
        return .exit(process.terminationStatus)
        #endif
    }
}
