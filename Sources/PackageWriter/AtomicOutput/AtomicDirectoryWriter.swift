import Dispatch
import Foundation
public import PackageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a directory (a model package) so that its final path only ever holds nothing, the previous
/// complete directory, or the new complete one.
///
/// - The new directory is built in a temporary directory beside the destination (same file system, so
///   the final `rename` is atomic), named `.<name>.ptq-partial.<pid>.<random>`.
/// - ``commit()`` fsyncs every file and directory in it, then renames it into place and fsyncs the parent.
/// - An existing destination is never touched without `force`, and with `force` only when the writer's
///   ``ReplacementRule`` says it is provably an output of the same kind that PTQKit wrote and holds no
///   input of the run (so `--output $HOME --force` or `--output dir-with-my-inputs --force` is refused,
///   exit 73). It survives until the new directory is complete: on Linux the two are swapped
///   atomically (`renameat2(RENAME_EXCHANGE)`) and the swapped-out directory checked once more (swapped
///   back if it is no longer replaceable); elsewhere the old one is renamed aside
///   (`.<name>.ptq-replaced.<pid>.<random>`) and the new one renamed in; then the old one is removed.
/// - Without `force` the final rename never replaces anything (`renameat2(RENAME_NOREPLACE)`): a
///   destination that appeared while the directory was being built is kept, and the run fails with 73.
/// - SIGINT and SIGTERM (observed with a `DispatchSource`) remove the temporary directory and end the
///   process with status 130 / 143.
/// - Leftovers of a killed run (SIGKILL, power loss: its process no longer exists) are cleaned up when the
///   next writer for the same destination starts: a partial directory is removed; a replaced package
///   whose destination is missing is renamed back. The owner is the pid in the name; a leftover whose pid
///   is alive (still writing, or the pid was reused) is left alone.
///
/// Not thread-safe for concurrent ``commit()``/``discard()`` calls on one writer; the signal handler
/// is synchronized with ``commit()``.
public final class AtomicDirectoryWriter: Sendable {
    /// The path the finished directory gets.
    public let destination: String
    /// The temporary directory being built; write the package's files here.
    public let temporaryPath: String
    /// Whether and what an existing destination may be replaced with.
    public let rule: ReplacementRule
    /// Whether an existing destination may be replaced at all.
    public var force: Bool { rule.force }

    /// Marker in the names of temporary directories: `.<name>.ptq-partial.<pid>.<random>`.
    public static let partialMarker = ".ptq-partial."
    /// Marker in the names of replaced packages awaiting removal.
    public static let replacedMarker = ".ptq-replaced."

    /// Checks that `parent`, the directory an output is created in, exists, is a directory and is writable.
    /// - Throws: ``PackageError/outputParentUnusable(path:reason:)`` naming the directory: `directory stats
    ///   does not exist`, `stats is not a directory`, `directory stats is not writable (Permission denied)`.
    public static func checkParent(_ parent: String, of destination: String) throws(PackageError) {
        var info = stat()
        guard stat(parent, &info) == 0 else {
            let reason =
                errno == ENOENT ? "directory \(parent) does not exist" : "\(parent): \(PackageError.errnoText())"
            throw .outputParentUnusable(path: destination, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .outputParentUnusable(path: destination, reason: "\(parent) is not a directory")
        }
        guard access(parent, W_OK | X_OK) == 0 else {
            let why = PackageError.errnoText()
            throw .outputParentUnusable(path: destination, reason: "directory \(parent) is not writable (\(why))")
        }
    }

    /// Prepares to build `destination`: checks the destination and its parent, cleans up stale
    /// leftovers of killed runs, and creates the temporary directory.
    ///
    /// - Throws: ``PackageError/outputExists(path:)`` when the destination exists and `force` is false,
    ///   ``PackageError/refusedToReplace(path:reason:)`` when the rule does not allow replacing it,
    ///   ``PackageError/outputParentUnusable(path:reason:)`` when the parent is missing or not writable,
    ///   ``PackageError/cannotWrite(path:reason:)`` when the temporary directory cannot be created.
    public init(destination: String, rule: ReplacementRule) throws(PackageError) {
        let trimmed = destination.count > 1 && destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        self.destination = trimmed
        self.rule = rule
        let (parent, name) = Self.split(trimmed)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .outputParentUnusable(path: destination, reason: "the output must name a new directory")
        }
        try Self.checkParent(parent, of: destination)
        Self.cleanStaleLeftovers(parent: parent, name: name)
        try rule.check(trimmed, isDirectory: true)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let temporary = "\(parent)/.\(TemporaryName.stem(name))\(Self.partialMarker)\(getpid()).\(random)"
        temporaryPath = temporary
        InterruptCleanup.shared.register(temporary)
        // Under the lock the signal handler holds until it exits: a directory created after the handler
        // looked for it would outlive the process.
        let failure: String? = InterruptCleanup.shared.withLock {
            mkdir(temporary, 0o755) == 0 ? nil : PackageError.errnoText()
        }
        if let failure {
            InterruptCleanup.shared.unregister(temporary)
            throw .cannotWrite(path: temporary, reason: failure)
        }
    }

    deinit {
        // A writer dropped without commit leaves nothing behind.
        discard()
    }

    /// The path of `relative` inside the temporary directory.
    public func path(_ relative: String) -> String { "\(temporaryPath)/\(relative)" }

    /// Makes the temporary directory durable and moves it to ``destination``; an existing destination is
    /// replaced (see the type's documentation). After `commit` the writer does nothing more.
    ///
    /// - Throws: ``PackageError/cannotWrite(path:reason:)`` if syncing or renaming fails (the temporary
    ///   directory is then removed and an existing destination left as it was), or
    ///   ``PackageError/outputExists(path:)`` if the destination appeared meanwhile without `force`.
    public func commit() throws(PackageError) {
        try Self.syncTree(temporaryPath)
        let (parent, name) = Self.split(destination)
        let result: Result<Void, PackageError> = InterruptCleanup.shared.withLock {
            guard FileManager.default.fileExists(atPath: temporaryPath) else {
                return .failure(.cannotWrite(path: temporaryPath, reason: "the temporary directory disappeared"))
            }
            var info = stat()
            if lstat(destination, &info) != 0 {
                // Nothing to replace; never replace what appears meanwhile (an empty directory included).
                switch Self.renameNoReplace(temporaryPath, destination) {
                case 0: return .success(())
                case EEXIST, ENOTEMPTY:
                    return .failure(
                        force
                            ? .cannotWrite(
                                path: destination, reason: "it appeared while the package was being written")
                            : .outputExists(path: destination))
                case let code: return .failure(.cannotWrite(path: destination, reason: PackageError.errnoText(code)))
                }
            }
            do throws(PackageError) { try rule.check(destination, isDirectory: true) } catch { return .failure(error) }
            if Self.exchange(temporaryPath, destination) {
                // The old package now sits at the temporary path, which is still registered for removal.
                // Check what was swapped out: it may have changed since the check above.
                if let reason = rule.whyNotOwned(temporaryPath) {
                    _ = Self.exchange(temporaryPath, destination)
                    return .failure(
                        .refusedToReplace(
                            path: destination,
                            reason: "it changed while the package "
                                + "was being written and is not a \(rule.outputKind) (\(reason))"))
                }
                return .success(())
            }
            let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let aside = "\(parent)/.\(TemporaryName.stem(name))\(Self.replacedMarker)\(getpid()).\(random)"
            guard rename(destination, aside) == 0 else {
                return .failure(.cannotWrite(path: destination, reason: PackageError.errnoText()))
            }
            guard rename(temporaryPath, destination) == 0 else {
                let reason = PackageError.errnoText()
                _ = rename(aside, destination)
                return .failure(.cannotWrite(path: destination, reason: reason))
            }
            _ = rename(aside, temporaryPath)  // the old package is removed with the temporary path below
            return .success(())
        }
        defer { discard() }
        try result.get()
        Self.syncDirectory(parent)
    }

    /// Removes the temporary directory (whatever it holds) and stops watching it.
    public func discard() {
        InterruptCleanup.shared.withLock {
            Self.removeTree(temporaryPath)
        }
        InterruptCleanup.shared.unregister(temporaryPath)
    }

    // MARK: - Helpers

    /// `(parent, last component)` of a path; the parent of a bare name is `.`.
    static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let parent = String(path[..<slash])
        return (parent.isEmpty ? "/" : parent, String(path[path.index(after: slash)...]))
    }

    /// Atomically swaps two paths with `renameat2(RENAME_EXCHANGE)` where the C library and file system
    /// support it (Linux); `false` otherwise.
    static func exchange(_ a: String, _ b: String) -> Bool {
        renameAt2(a, b, flags: 2) == 0  // RENAME_EXCHANGE
    }

    /// Renames `source` to `destination` unless `destination` exists: `renameat2(RENAME_NOREPLACE)`,
    /// or where that is not supported, `link` + `unlink` for a file and `rename` for a directory (which
    /// never replaces a non-empty directory). Returns 0 or the `errno` (`EEXIST` when it exists).
    static func renameNoReplace(_ source: String, _ destination: String) -> Int32 {
        let result = renameAt2(source, destination, flags: 1)  // RENAME_NOREPLACE
        if result == 0 || (result != EINVAL && result != ENOSYS && result != ENOTSUP) { return result }
        var info = stat()
        if lstat(source, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            guard link(source, destination) == 0 else { return errno }
            _ = unlink(source)
            return 0
        }
        if lstat(destination, &info) == 0 { return EEXIST }
        return rename(source, destination) == 0 ? 0 : errno
    }

    /// `renameat2(AT_FDCWD, a, AT_FDCWD, b, flags)`: 0, or the `errno` (`ENOSYS` where the C library has
    /// no `renameat2`).
    private static func renameAt2(_ a: String, _ b: String, flags: UInt32) -> Int32 {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return ENOSYS }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        return renameat2(atCurrentDirectory, a, atCurrentDirectory, b, flags) == 0 ? 0 : errno
        #else
        return ENOSYS
        #endif
    }

    /// Fsyncs one directory (best effort).
    static func syncTree(directoryOnly path: String) { syncDirectory(path) }

    /// Fsyncs every regular file and directory under `root` (the root last), or `root` itself when it is
    /// a regular file.
    static func syncTree(_ root: String) throws(PackageError) {
        var rootInfo = stat()
        if lstat(root, &rootInfo) == 0, rootInfo.st_mode & S_IFMT == S_IFREG { return try syncFile(root) }
        let manager = FileManager.default
        var directories = [root]
        if let enumerator = manager.enumerator(atPath: root) {
            while let relative = enumerator.nextObject() as? String {
                let path = "\(root)/\(relative)"
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: directories.append(path)
                case S_IFREG: try syncFile(path)
                default: break
                }
            }
        }
        for directory in directories.reversed() { syncDirectory(directory) }
    }

    /// Fsyncs one regular file.
    private static func syncFile(_ path: String) throws(PackageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: PackageError.errnoText()) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .cannotWrite(path: path, reason: "fsync: \(PackageError.errnoText())") }
    }

    /// Fsyncs a directory so renames and new entries in it are durable (best effort: some file systems
    /// refuse directory fsync).
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Removes `path` and everything under it, ignoring errors.
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes partial directories (or files, see ``AtomicFileWriter``) and restores or removes replaced
    /// packages of earlier runs on `parent/name` whose processes no longer exist.
    static func cleanStaleLeftovers(parent: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        let stem = TemporaryName.stem(name)
        for entry in entries.sorted() where entry.hasPrefix(".\(stem).ptq-") {
            let rest = entry.dropFirst(stem.count + 1)
            let isPartial = rest.hasPrefix(partialMarker)
            let isReplaced = rest.hasPrefix(replacedMarker)
            guard isPartial || isReplaced else { continue }
            let fields = rest.dropFirst((isPartial ? partialMarker : replacedMarker).count).split(separator: ".")
            guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, pid != getpid() else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }  // its writer is still running
            let path = "\(parent)/\(entry)"
            let destination = "\(parent)/\(name)"
            if isReplaced, !FileManager.default.fileExists(atPath: destination), rename(path, destination) == 0 {
                continue
            }
            removeTree(path)
        }
    }
}

/// The temporary directories to remove when SIGINT or SIGTERM arrives, and the lock that orders that
/// removal with ``AtomicDirectoryWriter/commit()``.
final class InterruptCleanup: @unchecked Sendable {
    /// The process-wide instance; the signal sources are installed on first registration.
    static let shared = InterruptCleanup()

    private let lock = NSRecursiveLock()
    private var paths: Set<String> = []
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching `path`.
    func register(_ path: String) {
        withLock {
            if sources.isEmpty { installHandlers() }
            paths.insert(path)
        }
    }

    /// Stops watching `path`.
    func unregister(_ path: String) {
        withLock { _ = paths.remove(path) }
    }

    /// Runs `body` holding the lock the signal handler takes (and keeps until the process exits).
    func withLock<T: ~Copyable, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Ignores SIGINT/SIGTERM's default action and handles them on a dispatch queue instead: remove every
    /// watched directory, then `_exit` (no atexit handlers: another thread may hold libhdf5's lock). Returns
    /// once both sources are registered, so no signal sent after the first registration is lost.
    private func installHandlers() {
        for (signo, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()  // held until exit: no commit can start or finish meanwhile
                // The writing thread runs on and may create a file after a pass listed the directory:
                // repeat until the directory is gone.
                for path in paths {
                    for _ in 0..<1000 where FileManager.default.fileExists(atPath: path) {
                        AtomicDirectoryWriter.removeTree(path)
                    }
                }
                let message = "ptq: interrupted; removed the partial output\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                _exit(status)
            }
            // A signal that arrives after SIG_IGN but before the source is registered with the system would
            // be lost (and the run would go on to the end): wait until the source is registered.
            let registered = DispatchSemaphore(value: 0)
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            registered.wait()
            sources.append(source)
        }
    }
}
