import Dispatch
import Foundation

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
/// - An existing destination is never touched without `force`. With `force` it must be an empty
///   directory or a package (holding `manifest.json`), so a mistyped `--output $HOME --force` cannot wipe
///   a home directory; it survives until the new directory is complete: on Linux the two are swapped
///   atomically (`renameat2(RENAME_EXCHANGE)`), elsewhere the old one is renamed aside
///   (`.<name>.ptq-replaced.<pid>.<random>`) and the new one renamed in; then the old one is removed.
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
    /// Whether an existing destination may be replaced.
    public let force: Bool

    /// Marker in the names of temporary directories: `.<name>.ptq-partial.<pid>.<random>`.
    public static let partialMarker = ".ptq-partial."
    /// Marker in the names of replaced packages awaiting removal.
    public static let replacedMarker = ".ptq-replaced."

    /// Prepares to build `destination`: checks the destination and its parent, cleans up stale
    /// leftovers of killed runs, and creates the temporary directory.
    ///
    /// - Throws: ``PackageError/outputExists(path:)`` when the destination exists and `force` is false
    ///   (or it is not replaceable), ``PackageError/outputParentUnusable(path:reason:)`` when the parent
    ///   is missing or not writable, ``PackageError/cannotWrite(path:reason:)`` when the temporary
    ///   directory cannot be created.
    public init(destination: String, force: Bool) throws(PackageError) {
        let trimmed = destination.count > 1 && destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        self.destination = trimmed
        self.force = force
        let (parent, name) = Self.split(trimmed)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .outputParentUnusable(path: destination, reason: "the output must name a new directory")
        }
        var info = stat()
        guard stat(parent, &info) == 0 else {
            throw .outputParentUnusable(path: destination, reason: "\(parent): \(PackageError.errnoText())")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .outputParentUnusable(path: destination, reason: "\(parent) is not a directory")
        }
        guard access(parent, W_OK | X_OK) == 0 else {
            throw .outputParentUnusable(path: destination, reason: "\(parent): \(PackageError.errnoText())")
        }
        Self.cleanStaleLeftovers(parent: parent, name: name)
        if lstat(trimmed, &info) == 0 {
            guard force else { throw .outputExists(path: trimmed) }
            try Self.checkReplaceable(trimmed, info)
        }
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
                // Nothing to replace: rename(2) never overwrites a non-empty directory, and an empty one
                // cannot appear here without force being checked below.
                guard rename(temporaryPath, destination) == 0 else {
                    return .failure(.cannotWrite(path: destination, reason: PackageError.errnoText()))
                }
                return .success(())
            }
            guard force else { return .failure(.outputExists(path: destination)) }
            do throws(PackageError) { try Self.checkReplaceable(destination, info) } catch { return .failure(error) }
            if Self.exchange(temporaryPath, destination) {
                // The old package now sits at the temporary path, which is still registered for removal.
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

    /// Throws unless `path` is a directory that is empty or holds `manifest.json`.
    private static func checkReplaceable(_ path: String, _ info: stat) throws(PackageError) {
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .outputNotReplaceable(path: path, reason: "not a directory")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard entries.isEmpty || entries.contains("manifest.json") else {
            throw .outputNotReplaceable(path: path, reason: "not a PTQKit package")
        }
    }

    /// Atomically swaps two paths with `renameat2(RENAME_EXCHANGE)` where the C library and file system
    /// support it (Linux); `false` otherwise.
    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        let renameExchange: UInt32 = 2  // RENAME_EXCHANGE
        return renameat2(atCurrentDirectory, a, atCurrentDirectory, b, renameExchange) == 0
        #else
        return false
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
    /// watched directory, then `_exit` (no atexit handlers: another thread may hold libhdf5's lock).
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
            source.resume()
            sources.append(source)
        }
    }
}
