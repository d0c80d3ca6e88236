/// An integer code format: `bits` wide (2…16), signed (two's complement) or unsigned, full or narrow range.
///
/// Code ranges (`qmin…qmax`):
/// - signed:            −2^(b−1) … 2^(b−1) − 1      (int8: −128…127)
/// - signed narrow:     −2^(b−1) + 1 … 2^(b−1) − 1  (int8: −127…127, symmetric around 0)
/// - unsigned:          0 … 2^b − 1                 (uint8: 0…255)
/// - unsigned narrow:   0 … 2^b − 2                 (uint8: 0…254, odd code count, midpoint 127)
///
/// Narrow range drops one extreme code so the code count is odd and a symmetric grid has a
/// code at its centre.
public struct IntegerFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Bit width b, 2…16.
    public let bits: Int
    /// Whether codes are two's-complement signed.
    public let isSigned: Bool
    /// Whether the range drops its most negative (signed) or largest (unsigned) code.
    public let isNarrow: Bool

    /// Creates a format.
    /// - Throws: ``QuantizationError/bitWidthOutOfRange(_:)`` unless `bits` is in 2…16.
    public init(bits: Int, signed: Bool, narrow: Bool = false) throws(QuantizationError) {
        guard (2...16).contains(bits) else { throw .bitWidthOutOfRange(bits) }
        self.bits = bits
        isSigned = signed
        isNarrow = narrow
    }

    private enum CodingKeys: String, CodingKey { case bits, isSigned, isNarrow }

    /// Decodes and validates the width (as ``init(bits:signed:narrow:)``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            bits: c.decode(Int.self, forKey: .bits), signed: c.decode(Bool.self, forKey: .isSigned),
            narrow: c.decode(Bool.self, forKey: .isNarrow))
    }

    /// Internal unchecked initializer for the static constants (bits known valid).
    init(uncheckedBits bits: Int, signed: Bool, narrow: Bool = false) {
        self.bits = bits
        isSigned = signed
        isNarrow = narrow
    }

    /// Smallest code.
    public var qmin: Int32 {
        isSigned ? -(Int32(1) << Int32(bits - 1)) + (isNarrow ? 1 : 0) : 0
    }

    /// Largest code.
    public var qmax: Int32 {
        isSigned ? (Int32(1) << Int32(bits - 1)) - 1 : (Int32(1) << Int32(bits)) - 1 - (isNarrow ? 1 : 0)
    }

    /// Number of codes, `qmax − qmin + 1`.
    public var codeCount: Int { Int(qmax) - Int(qmin) + 1 }

    /// The same width and signedness with full (`false`) or narrow (`true`) range.
    public func withNarrowRange(_ narrow: Bool) -> IntegerFormat {
        IntegerFormat(uncheckedBits: bits, signed: isSigned, narrow: narrow)
    }

    /// "int8", "uint4", "int8n" (narrow), ….
    public var description: String { "\(isSigned ? "int" : "uint")\(bits)\(isNarrow ? "n" : "")" }

    /// Signed 8-bit, −128…127.
    public static let int8 = IntegerFormat(uncheckedBits: 8, signed: true)
    /// Unsigned 8-bit, 0…255.
    public static let uint8 = IntegerFormat(uncheckedBits: 8, signed: false)
    /// Signed 16-bit, −32768…32767.
    public static let int16 = IntegerFormat(uncheckedBits: 16, signed: true)
    /// Unsigned 16-bit, 0…65535.
    public static let uint16 = IntegerFormat(uncheckedBits: 16, signed: false)
    /// Signed 4-bit, −8…7.
    public static let int4 = IntegerFormat(uncheckedBits: 4, signed: true)
    /// Unsigned 4-bit, 0…15.
    public static let uint4 = IntegerFormat(uncheckedBits: 4, signed: false)
    /// Signed 2-bit, −2…1.
    public static let int2 = IntegerFormat(uncheckedBits: 2, signed: true)
    /// Unsigned 2-bit, 0…3.
    public static let uint2 = IntegerFormat(uncheckedBits: 2, signed: false)
}
