internal import Crypto

/// A streaming SHA-256 hasher (FIPS 180-4), used to fingerprint the inputs a package was made from.
///
/// Feed bytes in any number of pieces with ``update(_:)-(UnsafeRawBufferPointer)``, then read
/// ``finalize()``. The compression runs in swift-crypto's `Crypto.SHA256` (BoringSSL on Linux, with the
/// x86-64 SHA-NI / AVX2 and ARMv8 SHA-2 assembly; CryptoKit on Apple platforms); this type keeps
/// PTQKit's own API so callers never import Crypto. Tested against the FIPS vectors, Python's
/// `hashlib` and `sha256sum`.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(Array("abc".utf8))
/// hasher.finalize().hex  // "ba7816bf…"
/// ```
///
/// `@unchecked Sendable`: swift-crypto 3 does not mark `Crypto.SHA256` `Sendable`, but it is a
/// copy-on-write value (its BoringSSL context is copied before a shared one is mutated, checked with
/// `isKnownUniquelyReferenced`, and `finalize()` works on a copy), so a value moved or copied to another
/// thread is as safe as an `Array`.
public struct SHA256: @unchecked Sendable {
    /// swift-crypto's incremental state (a value type: copying the hasher forks the running digest).
    private var state = Crypto.SHA256()

    /// A hasher with the initial state.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        state.update(bufferPointer: bytes)
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything added (FIPS 180-4 padding: `0x80`, zeros up to 56 mod 64 bytes,
    /// the 64-bit big-endian bit length).
    public consuming func finalize() -> Digest {
        Digest(bytes: Array(state.finalize()))
    }

    /// A SHA-256 digest.
    public struct Digest: Sendable, Hashable, CustomStringConvertible {
        /// The 32 digest bytes.
        public let bytes: [UInt8]
        /// Lowercase hexadecimal, 64 characters (as `sha256sum` prints it).
        public var hex: String {
            Fingerprint.hex(bytes)
        }
        /// ``hex``.
        public var description: String { hex }
    }

    /// The digest and size in bytes of the file at `path`, read in 1 MiB pieces into one reused buffer
    /// (memory stays flat in the file size).
    /// - Throws: ``PackageError/cannotRead(path:reason:)`` if the file cannot be opened or read.
    public static func hash(fileAt path: String) throws(PackageError) -> (digest: Digest, size: Int) {
        var hasher = SHA256()
        let size = try Fingerprint.readPieces(of: path) { hasher.update($0) }
        return (hasher.finalize(), size)
    }
}
