import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one file so that its path only ever holds the previous file or the complete new one: the file
/// is written as `.<name>.ptq-partial.<pid>.<random>` beside it, fsync'd, then renamed over the target.
/// An existing target is only replaced with `force`. SIGINT/SIGTERM remove the partial file, and partial
/// files left by killed runs (their pid no longer exists) are removed when the next writer for the same
/// target starts (see ``AtomicDirectoryWriter``).
///
/// Create the temporary file through ``create(_:)``, which runs under the lock the signal handler takes:
/// a file created after the handler removed the temporary path would otherwise outlive the process.
public final class AtomicFileWriter: Sendable {
    /// The final path.
    public let destination: String
    /// Where to write the contents.
    public let temporaryPath: String

    /// Checks the destination and its parent and picks the temporary path.
    /// - Throws: ``PackageError/outputExists(path:)`` or ``PackageError/outputParentUnusable(path:reason:)``.
    public init(destination: String, force: Bool) throws(PackageError) {
        self.destination = destination
        let (parent, name) = AtomicDirectoryWriter.split(destination)
        var info = stat()
        guard stat(parent, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, access(parent, W_OK | X_OK) == 0 else {
            throw .outputParentUnusable(path: destination, reason: "\(parent) is not a writable directory")
        }
        if lstat(destination, &info) == 0 {
            guard force else { throw .outputExists(path: destination) }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw .outputExists(path: destination + " (not a regular file; refusing to replace it)")
            }
        }
        AtomicDirectoryWriter.cleanStaleLeftovers(parent: parent, name: name)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        temporaryPath = "\(parent)/.\(name)\(AtomicDirectoryWriter.partialMarker)\(getpid()).\(random)"
        InterruptCleanup.shared.register(temporaryPath)
    }

    deinit { discard() }

    /// Runs `body`, which creates the file at ``temporaryPath`` (and may write all of it), so that an
    /// interrupt either removes what it created or ends the process before it runs.
    public func create<T: ~Copyable, E: Error>(_ body: (_ temporaryPath: String) throws(E) -> T) throws(E) -> T {
        try InterruptCleanup.shared.withLock { () throws(E) -> T in try body(temporaryPath) }
    }

    /// Fsyncs the temporary file and renames it over the destination, then fsyncs the directory.
    public func commit() throws(PackageError) {
        MidWritePause.point("before renaming \(temporaryPath)")
        try AtomicDirectoryWriter.syncTree(temporaryPath)
        let failure: String? = InterruptCleanup.shared.withLock {
            rename(temporaryPath, destination) == 0 ? nil : PackageError.errnoText()
        }
        if let failure {
            discard()
            throw .cannotWrite(path: destination, reason: failure)
        }
        AtomicDirectoryWriter.syncTree(directoryOnly: AtomicDirectoryWriter.split(destination).parent)
        InterruptCleanup.shared.unregister(temporaryPath)
    }

    /// Removes the temporary file.
    public func discard() {
        InterruptCleanup.shared.withLock { _ = unlink(temporaryPath) }
        InterruptCleanup.shared.unregister(temporaryPath)
    }
}
