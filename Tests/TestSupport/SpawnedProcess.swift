import Foundation

#if canImport(Glibc)
import Glibc

/// A child process for tests, started with `posix_spawn` so that it inherits no descriptor of the test
/// process above standard error.
///
/// Why not Foundation's `Process`: on Linux it closes the parent's descriptors one by one, up to the
/// highest it saw open *before* spawning. A descriptor another test thread opens in between is
/// inherited — for example libhdf5's file of a parallel test, whose `flock` lock then lives on in the
/// child, and the test's next open of that file fails with "unable to lock file" (a CI failure seen in
/// `DatasetTests`). Here glibc's `posix_spawn_file_actions_addclosefrom_np` closes everything above 2 in
/// the child itself, so nothing opened at any moment leaks. The child also starts as from a shell: no
/// blocked signals, SIGINT and SIGTERM at their default action (test worker threads block signals).
public final class SpawnedProcess {
    /// Where a child's standard output and error go.
    public enum Output: Sendable {
        /// One pipe for both, read with ``readAvailable()`` / ``readToEnd()``.
        case pipe
        /// Each to its own file (created or truncated).
        case files(stdout: String, stderr: String)
        /// Both to one file (created or truncated).
        case file(String)
    }

    /// What went wrong starting a child.
    public struct SpawnError: Error, CustomStringConvertible {
        /// The program and the errno-style code.
        public let description: String
    }

    /// The child's process id.
    public let pid: Int32
    /// Write end of the child's standard input, or -1 (the child reads /dev/null).
    private var input: Int32
    /// Read end of the child's combined output pipe, or -1.
    private var output: Int32
    /// The wait status, once reaped.
    private var status: Int32?
    /// Whether the caller took over the child (``detach()``): it is then neither killed nor reaped here.
    private var detached = false

    /// Starts `executable arguments...`.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments (after `argv[0]`, which is `executable`).
    ///   - environment: the child's whole environment (default: this process's).
    ///   - directory: the child's working directory (default: this process's).
    ///   - destination: where its standard output and error go.
    ///   - withInput: gives the child a pipe on standard input (``write(_:)``, ``closeInput()``).
    /// - Throws: ``SpawnError`` when a pipe cannot be made, libc lacks the spawn extensions, or the spawn fails.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, output destination: Output = .pipe, withInput: Bool = false
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func pipePair() throws -> (read: Int32, write: Int32) {
            var ends: [Int32] = [-1, -1]
            // Close-on-exec at once (pipe2 is not imported); every spawn here closes from 3 anyway.
            guard pipe(&ends) == 0, fcntl(ends[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(ends[1], F_SETFD, FD_CLOEXEC) == 0
            else {
                for fd in parentEnds { close(fd) }
                throw SpawnError(description: "\(executable): pipe2 failed (errno \(errno))")
            }
            return (ends[0], ends[1])
        }
        var inputEnd: Int32 = -1
        if withInput {
            let ends = try pipePair()
            inputEnd = ends.write
            parentEnds.append(ends.write)
            childEnds.append(ends.read)
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        var outputEnd: Int32 = -1
        switch destination {
        case .pipe:
            let ends = try pipePair()
            outputEnd = ends.read
            parentEnds.append(ends.read)
            childEnds.append(ends.write)
            posix_spawn_file_actions_adddup2(&actions, ends.write, 1)
            posix_spawn_file_actions_adddup2(&actions, ends.write, 2)
        case .files(let stdout, let stderr):
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // glibc ≥ 2.34 / 2.29 extensions Swift's Glibc module does not import: looked up by name.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias ChangeDirectory =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            for fd in parentEnds { close(fd) }
            throw SpawnError(description: "\(executable): this libc has no posix_spawn_file_actions_addclosefrom_np")
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        if let directory {
            guard let changeDirectory = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
                for fd in parentEnds { close(fd) }
                throw SpawnError(description: "\(executable): this libc has no posix_spawn_file_actions_addchdir_np")
            }
            _ = unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, directory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        sigaddset(&interrupts, SIGINT)
        sigaddset(&interrupts, SIGTERM)
        sigaddset(&interrupts, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &interrupts)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            for fd in parentEnds { close(fd) }
            throw SpawnError(description: "\(executable): posix_spawn failed (errno \(spawned))")
        }
        self.pid = pid
        self.input = inputEnd
        self.output = outputEnd
    }

    deinit {
        if input >= 0 { close(input) }
        if output >= 0 { close(output) }
        if status == nil, !detached {
            kill(pid, SIGKILL)
            var ignored: Int32 = 0
            _ = waitpid(pid, &ignored, 0)
        }
    }

    /// Writes `text` to the child's standard input (requires `withInput`).
    public func write(_ text: String) {
        guard input >= 0 else { return }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Closes the child's standard input (it reads end of file).
    public func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// The next bytes of the child's output as text, blocking until some arrive; nil at end of output.
    public func readAvailable() -> String? {
        guard output >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            return String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    /// The rest of the child's output as text (empty without a pipe).
    public func readToEnd() -> String {
        var text = ""
        while let chunk = readAvailable() { text += chunk }
        return text
    }

    /// Whether the child has not yet exited (reaps it if it has).
    public var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, WNOHANG)
        if reaped == pid { status = raw }
        return reaped == 0
    }

    /// Hands the child over to the caller, who signals and reaps it by ``pid`` (e.g. with `waitpid`).
    public func detach() -> Int32 {
        detached = true
        return pid
    }

    /// Sends `signal` to the child.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to exit: its exit code, or 128 + the signal that ended it (as shells report).
    @discardableResult
    public func wait() -> Int32 {
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
            status = raw
        }
        let raw = status ?? 0
        // WIFEXITED: low 7 bits zero, WEXITSTATUS bits 8-15; otherwise the signal is the low 7 bits.
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Runs `executable arguments...` to completion: its exit status (``wait()``) and combined output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) throws -> (status: Int32, output: String) {
        let child = try SpawnedProcess(executable, arguments, environment: environment, directory: directory)
        let output = child.readToEnd()
        return (child.wait(), output)
    }
}
#endif
