import Foundation
import TestSupport

/// Seeded damage to a valid HDF5 file's bytes, for the mutation test: every mutant is a pure function of
/// the seed, so a failing case can be regenerated from the counts the test prints.
struct HDF5Mutator {
    /// The kinds of damage, each aimed at a part of the file libhdf5 parses.
    enum Kind: String, CaseIterable {
        /// 1–8 single-bit flips anywhere.
        case bitFlips
        /// 1–6 random bytes in the superblock (the first 96 bytes).
        case superblockBytes
        /// 1–6 random bytes in the first 2 KiB (object headers, B-tree and heap of small files).
        case metadataBytes
        /// An 8-byte field in the first 2 KiB replaced by an extreme value (lengths, addresses, sizes).
        case extremeField
        /// The file cut at a random length.
        case truncation
        /// A 64/256/512-byte block copied over another.
        case duplicatedBlock
        /// A 16/64/256-byte run of zeros.
        case zeroedBlock
    }

    /// SplitMix64: the same sequence on every platform.
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A damaged copy of `original` (never empty) and the kind of damage.
    mutating func mutate(_ original: [UInt8]) -> (bytes: [UInt8], kind: Kind) {
        var bytes = original
        let kind = Kind.allCases.randomElement(using: &generator) ?? .bitFlips
        let count = bytes.count
        switch kind {
        case .bitFlips:
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                bytes[Int.random(in: 0..<count, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            }
        case .superblockBytes, .metadataBytes:
            let limit = min(count, kind == .superblockBytes ? 96 : 2048)
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<limit, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
        case .extremeField:
            let offset = Int.random(in: 0..<(min(count, 2048) - 8), using: &generator)
            let value: UInt64 =
                [.max, .max - 1, 1 << 32, 1 << 40, 1 << 63, 0xFFFF_FFFF, 0].randomElement(using: &generator) ?? .max
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 8), with: $0) }
        case .truncation:
            bytes.removeLast(Int.random(in: 1..<count, using: &generator))
        case .duplicatedBlock:
            let size = [64, 256, 512].randomElement(using: &generator) ?? 64
            let from = Int.random(in: 0...(count - size), using: &generator)
            let to = Int.random(in: 0...(count - size), using: &generator)
            bytes.replaceSubrange(to..<(to + size), with: original[from..<(from + size)])
        case .zeroedBlock:
            let size = min([16, 64, 256].randomElement(using: &generator) ?? 16, count)
            let at = Int.random(in: 0...(count - size), using: &generator)
            bytes.replaceSubrange(at..<(at + size), with: repeatElement(0, count: size))
        }
        return (bytes, kind)
    }
}
