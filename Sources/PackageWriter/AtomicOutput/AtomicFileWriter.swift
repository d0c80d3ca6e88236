import Foundation
public import PackageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one file so that its path only ever holds the previous file or the complete new one: the file
/// is written as `.<name>.ptq-partial.<pid>.<random>` beside it, fsync'd, then renamed to the target.
/// An existing target is only replaced as its ``ReplacementRule`` allows: with `force`, and only a file
/// PTQKit wrote (of the same kind) that is not an input of the run; checked when the writer starts and
/// again when it commits (with an atomic swap where the platform has one, the swapped-out file is checked
/// once more and swapped back if it changed). Without `force` the final rename never replaces anything
/// (`renameat2(RENAME_NOREPLACE)`, else `link` + `unlink`): a file that appeared at the target while this
/// one was written is kept. SIGINT/SIGTERM remove the partial file, and partial
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
    /// What may be replaced at ``destination``.
    public let rule: ReplacementRule

    /// Checks the destination and its parent and picks the temporary path.
    /// - Throws: ``PackageError/outputExists(path:)``, ``PackageError/refusedToReplace(path:reason:)`` or
    ///   ``PackageError/outputParentUnusable(path:reason:)``.
    public init(destination: String, rule: ReplacementRule) throws(PackageError) {
        self.destination = destination
        self.rule = rule
        let (parent, name) = AtomicDirectoryWriter.split(destination)
        try AtomicDirectoryWriter.checkParent(parent, of: destination)
        try rule.check(destination, isDirectory: false)
        AtomicDirectoryWriter.cleanStaleLeftovers(parent: parent, name: name)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        temporaryPath =
            "\(parent)/.\(TemporaryName.stem(name))\(AtomicDirectoryWriter.partialMarker)\(getpid()).\(random)"
        InterruptCleanup.shared.register(temporaryPath)
    }

    deinit { discard() }

    /// Runs `body`, which creates the file at ``temporaryPath`` (and may write all of it), so that an
    /// interrupt either removes what it created or ends the process before it runs.
    public func create<T: ~Copyable, E: Error>(_ body: (_ temporaryPath: String) throws(E) -> T) throws(E) -> T {
        try InterruptCleanup.shared.withLock { () throws(E) -> T in try body(temporaryPath) }
    }

    /// Fsyncs the temporary file and renames it to the destination (replacing what stands there only as
    /// ``rule`` allows), then fsyncs the directory.
    public func commit() throws(PackageError) {
        MidWritePause.point("before renaming \(temporaryPath)")
        try AtomicDirectoryWriter.syncTree(temporaryPath)
        let failure: PackageError? = InterruptCleanup.shared.withLock { move() }
        if let failure {
            discard()
            throw failure
        }
        AtomicDirectoryWriter.syncTree(directoryOnly: AtomicDirectoryWriter.split(destination).parent)
        InterruptCleanup.shared.unregister(temporaryPath)
    }

    /// The final move (under the interrupt lock); `nil` on success.
    private func move() -> PackageError? {
        var info = stat()
        if lstat(destination, &info) != 0 {
            switch AtomicDirectoryWriter.renameNoReplace(temporaryPath, destination) {
            case 0: return nil
            case EEXIST:
                return rule.force
                    ? .cannotWrite(path: destination, reason: "it appeared while the output was being written")
                    : .outputExists(path: destination)
            case let code: return .cannotWrite(path: destination, reason: PackageError.errnoText(code))
            }
        }
        do throws(PackageError) { try rule.check(destination, isDirectory: false) } catch { return error }
        if AtomicDirectoryWriter.exchange(temporaryPath, destination) {
            // The old file now sits at the temporary path: check it (it may have changed since the check
            // above), then remove it.
            if let reason = rule.whyNotOwned(temporaryPath) {
                _ = AtomicDirectoryWriter.exchange(temporaryPath, destination)
                return .refusedToReplace(
                    path: destination,
                    reason: "it changed while the output was being "
                        + "written and is not a \(rule.outputKind) (\(reason))")
            }
            _ = unlink(temporaryPath)
            return nil
        }
        return rename(temporaryPath, destination) == 0
            ? nil : .cannotWrite(path: destination, reason: PackageError.errnoText())
    }

    /// Removes the temporary file.
    public func discard() {
        InterruptCleanup.shared.withLock { _ = unlink(temporaryPath) }
        InterruptCleanup.shared.unregister(temporaryPath)
    }
}
