import Foundation
public import PackageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an atomic writer may do with whatever already stands at its destination.
///
/// Without `force` nothing is ever replaced. With `force` an existing destination is replaced only when
/// it is provably an output of the same kind that PTQKit wrote (``whyNotOwned`` returns `nil`) and it is
/// not, and does not hold, a file this run reads (``inputs``). Anything else is refused with
/// ``PackageError/refusedToReplace(path:reason:)`` (exit 73) and left as it was: `--force` never deletes
/// what PTQKit did not write.
///
/// The writers check the rule when they start (so a run fails before it does its work) and again at the
/// moment of the swap; where the platform swaps atomically (`renameat2(RENAME_EXCHANGE)`) the object that
/// was swapped out is checked once more and swapped back if it changed into something else meanwhile.
public struct ReplacementRule: Sendable {
    /// Whether an existing destination may be replaced at all (`--force`).
    public var force: Bool
    /// The kind of output, for messages ("PTQKit model package").
    public var outputKind: String
    /// Files this run reads (as given; resolved when checked). The destination is never one of them and,
    /// for a directory, never holds one of them.
    public var inputs: [String]
    /// Why the existing object at a path is not an output of this kind written by PTQKit, or `nil` when
    /// it is. Called with the path of an existing object of the writer's type (directory or regular file).
    public var whyNotOwned: @Sendable (_ path: String) -> String?

    /// A rule; see the type's documentation.
    public init(
        force: Bool, outputKind: String, inputs: [String] = [],
        whyNotOwned: @escaping @Sendable (_ path: String) -> String?
    ) {
        self.force = force
        self.outputKind = outputKind
        self.inputs = inputs
        self.whyNotOwned = whyNotOwned
    }

    /// Checks that `destination` is either absent or may be replaced under this rule.
    ///
    /// - Parameters:
    ///   - destination: the output path.
    ///   - isDirectory: whether the writer produces a directory (else a regular file).
    /// - Throws: ``PackageError/outputExists(path:)`` without `force`,
    ///   ``PackageError/refusedToReplace(path:reason:)`` when the existing object may not be replaced.
    public func check(_ destination: String, isDirectory: Bool) throws(PackageError) {
        var info = stat()
        guard lstat(destination, &info) == 0 else { return }
        guard force else { throw .outputExists(path: destination) }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
            throw .refusedToReplace(path: destination, reason: "it is a symbolic link")
        }
        if isDirectory, type != S_IFDIR {
            throw .refusedToReplace(path: destination, reason: "it is not a directory")
        }
        if !isDirectory, type != S_IFREG {
            throw .refusedToReplace(path: destination, reason: "it is not a regular file")
        }
        if let input = heldInput(destination, isDirectory: isDirectory) {
            let relation = isDirectory ? "it holds \(input), an input of this run" : "it is an input of this run"
            throw .refusedToReplace(path: destination, reason: relation)
        }
        if let reason = whyNotOwned(destination) {
            throw .refusedToReplace(path: destination, reason: "it is not a \(outputKind) (\(reason))")
        }
    }

    /// The first input that is `destination` itself (same file, also through hard or symbolic links) or,
    /// for a directory, lies inside it.
    func heldInput(_ destination: String, isDirectory: Bool) -> String? {
        var target = stat()
        guard stat(destination, &target) == 0 else { return nil }
        for input in inputs {
            var info = stat()
            if stat(input, &info) == 0, info.st_dev == target.st_dev, info.st_ino == target.st_ino { return input }
            guard isDirectory, let resolved = Self.resolved(input) else { continue }
            // Walk the input's ancestors: one of them is the destination when the input lies inside it.
            var ancestor = (resolved as NSString).deletingLastPathComponent
            while !ancestor.isEmpty {
                if stat(ancestor, &info) == 0, info.st_dev == target.st_dev, info.st_ino == target.st_ino {
                    return input
                }
                if ancestor == "/" { break }
                ancestor = (ancestor as NSString).deletingLastPathComponent
            }
        }
        return nil
    }

    /// `realpath(3)` of `path`, or `nil` when it does not resolve.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

extension ReplacementRule {
    /// The rule for an output that is never replaced (``force`` false).
    public static func neverReplace(outputKind: String) -> ReplacementRule {
        ReplacementRule(force: false, outputKind: outputKind) { _ in "replacing is not allowed" }
    }

    /// Why the directory at `path` is not a PTQKit model package: it may be empty, or hold only
    /// `allowedFiles` as regular files, among them `manifest.json` whose `format` is
    /// ``Manifest/formatName``; `nil` when it is one.
    public static func whyNotPackage(_ path: String, allowedFiles: Set<String>) -> String? {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            return "its entries cannot be listed: \(PackageError.reason(of: error))"
        }
        if entries.isEmpty { return nil }
        let foreign = entries.filter { !allowedFiles.contains($0) }.sorted()
        if !foreign.isEmpty {
            let shown = foreign.prefix(5).joined(separator: ", ") + (foreign.count > 5 ? ", …" : "")
            return "it holds \(shown), which PTQKit did not write"
        }
        for entry in entries {
            var info = stat()
            guard lstat("\(path)/\(entry)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                return "\(entry) is not a regular file"
            }
        }
        guard entries.contains(Manifest.fileName) else { return "it has no \(Manifest.fileName)" }
        guard let data = FileManager.default.contents(atPath: "\(path)/\(Manifest.fileName)"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["format"] as? String == Manifest.formatName
        else { return "its \(Manifest.fileName) is not a PTQKit manifest" }
        return nil
    }
}
