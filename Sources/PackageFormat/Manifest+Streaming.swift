public import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension Manifest {
    /// Writes ``encoded()``'s bytes to a new file at `path`, encoding one layer at a time: the whole
    /// manifest's encoder tree and text are never in memory at once (for a package of 100 000 small
    /// tensors they were most of the job's peak memory).
    ///
    /// The manifest without its layers is encoded as ``encoded()`` does; its empty `"layers" : [\n\n  ]`
    /// (a top-level key: the only line that starts with exactly two spaces and `"layers"`) is replaced by
    /// each layer encoded alone with the same encoder, every non-empty line indented by 4 spaces (the
    /// depth of an element of a top-level array), separated by `,\n`: pretty-printed JSON puts line breaks
    /// only between tokens (strings escape theirs), so the bytes are those of ``encoded()``.
    ///
    /// - Throws: ``PackageError/invalidManifest(path:reason:)`` when a part cannot be encoded,
    ///   ``PackageError/cannotWrite(path:reason:)`` when the file cannot be written.
    public func write(toFile path: String) throws(PackageError) {
        var head = self
        head.layers = []
        let headText = try head.encoded()
        let marker = Data("\n  \"layers\" : [\n\n  ]".utf8)
        let file = try OutputFile(path)
        guard !layers.isEmpty, let range = headText.range(of: marker) else {
            try file.append(headText)
            return try file.finish()
        }
        let encoder = Self.encoder
        let newline = UInt8(ascii: "\n")
        let indent = Data("    ".utf8)
        try file.append(headText[..<range.lowerBound] + Data("\n  \"layers\" : [\n".utf8))
        var pending = Data()
        for (index, layer) in layers.enumerated() {
            let text: Data
            do { text = try encoder.encode(layer) } catch {
                throw .invalidManifest(path: Self.fileName, reason: "cannot encode layer \(layer.name): \(error)")
            }
            if index > 0 { pending.append(contentsOf: Data(",\n".utf8)) }
            for (number, line) in text.split(separator: newline, omittingEmptySubsequences: false).enumerated() {
                if number > 0 { pending.append(newline) }
                if !line.isEmpty { pending.append(indent) }
                pending.append(line)
            }
            if pending.count >= 1 << 20 {
                try file.append(pending)
                pending = Data()
            }
        }
        try file.append(pending + Data("\n  ]".utf8) + headText[range.upperBound...])
        try file.finish()
    }
}

/// A new file written in parts (the manifest's) with POSIX calls, failures reported as
/// ``PackageError/cannotWrite(path:reason:)`` with the system's reason (`File too large`, ...).
private struct OutputFile {
    let path: String
    let descriptor: Int32

    /// Creates (or truncates) the file at `path`.
    init(_ path: String) throws(PackageError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: PackageError.errnoText()) }
    }

    /// Appends `data` (all of it: short writes are continued, interrupted ones retried).
    func append(_ data: Data) throws(PackageError) {
        let failure: Int32? = data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return nil }
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure {
            _ = close(descriptor)
            throw .cannotWrite(path: path, reason: PackageError.errnoText(failure))
        }
    }

    /// Closes the file.
    func finish() throws(PackageError) {
        guard close(descriptor) == 0 else { throw .cannotWrite(path: path, reason: PackageError.errnoText()) }
    }
}
