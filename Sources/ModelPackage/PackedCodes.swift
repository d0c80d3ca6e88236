/// Packing of 4- and 2-bit integer codes into bytes, as stored in `tensors.h5`.
///
/// The tensor's codes, flattened in row-major order, are written least significant bits first: code i
/// occupies bits `(i·b) mod 8 … (i·b) mod 8 + b − 1` of byte `⌊i·b/8⌋` (4-bit: element 2k in the low
/// nibble of byte k, element 2k+1 in the high nibble). Each field holds the code's low `b` bits (two's
/// complement for signed codes, so a signed code is recovered by sign-extending the field). Unused high
/// bits of the last byte are 0. numpy: `fields = (bytes[:, None] >> (b * arange(8 // b))) & (2**b - 1)`.
public enum PackedCodes {
    /// Packs `codes` (each within `bits` bits, signed or not) into `⌈count·bits/8⌉` bytes.
    /// - Precondition: `bits` is 1, 2, 4 or 8.
    public static func pack(_ codes: [Int32], bits: Int) -> [UInt8] {
        precondition([1, 2, 4, 8].contains(bits), "packed codes need 1, 2, 4 or 8 bits")
        let perByte = 8 / bits
        let mask = UInt8(truncatingIfNeeded: (1 << bits) - 1)
        var bytes = [UInt8](repeating: 0, count: (codes.count * bits + 7) / 8)
        for (i, code) in codes.enumerated() {
            bytes[i / perByte] |= (UInt8(truncatingIfNeeded: code) & mask) << UInt8((i % perByte) * bits)
        }
        return bytes
    }

    /// Unpacks `count` codes of `bits` bits from `bytes`, sign-extending when `signed`.
    /// - Throws: ``PackageError/inconsistentTensor(file:name:reason:)`` (named `what`) if `bytes` is not
    ///   exactly `⌈count·bits/8⌉` long.
    public static func unpack(_ bytes: [UInt8], count: Int, bits: Int, signed: Bool, what: String) throws(PackageError) -> [Int32] {
        guard [1, 2, 4, 8].contains(bits), bytes.count == (count * bits + 7) / 8 else {
            throw .inconsistentTensor(
                file: "tensors.h5", name: what,
                reason: "\(bytes.count) packed bytes cannot hold exactly \(count) codes of \(bits) bits")
        }
        let perByte = 8 / bits
        let mask = Int32((1 << bits) - 1)
        let signBit = Int32(1) << Int32(bits - 1)
        return (0..<count).map { i in
            let field = Int32(bytes[i / perByte] >> UInt8((i % perByte) * bits)) & mask
            return signed && field & signBit != 0 ? field - (mask + 1) : field
        }
    }
}
