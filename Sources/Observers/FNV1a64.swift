/// The 64-bit FNV-1a hash: a small, dependency-free checksum for detecting corrupted files.
///
///     h = 0xcbf29ce484222325; for each byte b: h = (h XOR b) · 0x100000001b3 (mod 2^64)
///
/// It detects accidental damage (flipped bytes, truncation), not tampering.
public struct FNV1a64: Sendable, Hashable {
    /// The running hash.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// A fresh hash.
    public init() {}

    /// Hashes `bytes`.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    }

    /// The hash of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = FNV1a64()
        h.update(bytes)
        return h.value
    }

    /// `"fnv1a64:"` followed by the 16 lowercase hex digits of the hash of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> String {
        let hex = String(hash(bytes), radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
