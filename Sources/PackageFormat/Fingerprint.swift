#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's fingerprint: the digest of its bytes under a named algorithm.
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash functions a fingerprint can use; the raw value is the manifest key the digest is stored
    /// under (`inputs[].xxh3_128` or `inputs[].sha256`).
    public enum Algorithm: String, Sendable, Hashable, CaseIterable, Codable {
        /// XXH3-128 (xxHash 0.8, seed 0), 32 lowercase hex digits: the default, fast enough to stay off the
        /// critical path (see ``XXH3``).
        case xxh3 = "xxh3_128"
        /// SHA-256, 64 lowercase hex digits, as `sha256sum` prints it (see ``SHA256``).
        case sha256

        /// Hex digits of a digest.
        public var hexLength: Int {
            switch self {
            case .xxh3: 32
            case .sha256: 64
            }
        }

        /// The name people know it by: `XXH3-128`, `SHA-256`.
        public var displayName: String {
            switch self {
            case .xxh3: "XXH3-128"
            case .sha256: "SHA-256"
            }
        }
    }

    /// The hash function.
    public var algorithm: Algorithm
    /// The digest, lowercase hexadecimal (``Algorithm/hexLength`` digits).
    public var hex: String

    /// A fingerprint from known values.
    public init(algorithm: Algorithm, hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// `xxh3_128:HEX`.
    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// The fingerprint and size in bytes of the file at `path`, read in 1 MiB pieces into one reused buffer
    /// (memory stays flat in the file size).
    /// - Throws: ``PackageError/cannotRead(path:reason:)`` if the file cannot be opened or read.
    public static func of(fileAt path: String, algorithm: Algorithm) throws(PackageError) -> (Fingerprint, size: Int) {
        switch algorithm {
        case .sha256:
            var hasher = SHA256()
            let size = try readPieces(of: path) { hasher.update($0) }
            return (Fingerprint(algorithm: .sha256, hex: hasher.finalize().hex), size)
        case .xxh3:
            var hasher = XXH3()
            let size = try readPieces(of: path) { hasher.update($0) }
            return (Fingerprint(algorithm: .xxh3, hex: hex(hasher.finalize())), size)
        }
    }

    /// The size in bytes of the file at `path` (from `stat`, nothing read).
    /// - Throws: ``PackageError/cannotRead(path:reason:)`` if it cannot be opened or is not a regular file.
    public static func size(ofFileAt path: String) throws(PackageError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: PackageError.errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(path: path, reason: PackageError.errnoText()) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .cannotRead(path: path, reason: "not a regular file") }
        return Int(info.st_size)
    }

    /// Lowercase hexadecimal of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// Bytes of one mapped window of ``readPieces(of:_:)``.
    static let windowBytes = 4 << 20

    /// Hands the file at `path` to `body` in order, piece by piece, and returns the bytes handed over.
    ///
    /// Pieces are read-only mappings of 4 MiB windows of the file (`mmap`, unmapped after `body` returns):
    /// the page cache's own pages, so nothing is copied (a `read` into a buffer costs more CPU than hashing
    /// the bytes with XXH3; mapping saved a quarter of read-and-hash on 1 GiB in the page cache, where
    /// `MAP_POPULATE` saved less) and memory stays flat in the file size. Before each window
    /// the file's current size is checked (`fstat`); once a window would pass the end, or `mmap` fails, the
    /// rest is read with `read` in 1 MiB pieces, so a file that grows or shrinks meanwhile is hashed as read.
    /// The residual risk of mapping, as for TensorIO's mapped batches: another process truncating the file
    /// while a window is being hashed (SIGBUS); rewriting an input in place during a job is unsupported.
    static func readPieces(
        of path: String, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(PackageError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: PackageError.errnoText()) }
        defer { close(fd) }
        var offset = 0
        while let window = mappedWindow(fd, offset: offset) {
            body(UnsafeRawBufferPointer(start: window.base, count: window.count))
            munmap(window.base, window.count)
            offset += window.count
        }
        return try offset + readRest(of: path, fd, from: offset, body)
    }

    /// A read-only mapping of the next ``windowBytes`` (or fewer, to the end) of `fd` from `offset`, or `nil`
    /// at the end of the file, when `fstat` or `mmap` fails, or when the file is not a regular file.
    private static func mappedWindow(_ fd: Int32, offset: Int) -> (base: UnsafeMutableRawPointer, count: Int)? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > offset else {
            return nil
        }
        let count = Swift.min(windowBytes, Int(info.st_size) - offset)
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, off_t(offset)), base != MAP_FAILED else {
            return nil
        }
        return (base, count)
    }

    /// Reads `fd` from byte `offset` to its end in 1 MiB pieces, handing each to `body`; returns the bytes read.
    private static func readRest(
        of path: String, _ fd: Int32, from offset: Int, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(PackageError) -> Int {
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset + size))
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, reason: PackageError.errnoText())
            }
            if n == 0 { break }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += n
        }
        return size
    }
}
