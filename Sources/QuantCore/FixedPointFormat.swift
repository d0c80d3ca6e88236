/// A sign-magnitude fixed-point format as the seed describes it: from MSB to LSB a sign bit S, an
/// integer field I of `integerBits` bits and a fraction field m of `fractionBits` bits, with an
/// implicit exponent E:
///
///     x = (−1)^S · (uint(I) + uint(m) · E)
///
/// (the seed's `x = uint(I) + uint(m)·E` drops the sign factor; its example −12.064 needs it).
/// - binary (Qm.n): E = 2^−n, and m uses all 2^n values of its field;
/// - decimal: E = 10^−d; m holds 0…10^d − 1 in `fractionBits = ⌈log2 10^d⌉` bits
///   (E = 0.001: 10 bits, m ≤ 999).
///
/// Encoding rounds |x|/E to an integer number of units (half to even by default) and saturates at
/// the largest magnitude; decoding is exact in Double for up to 53 magnitude bits.
public struct FixedPointFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How the implicit exponent is chosen.
    public enum Radix: Sendable, Hashable, Codable {
        /// E = 2^−fractionBits.
        case binary
        /// E = 10^−digits.
        case decimal(digits: Int)
    }

    /// Whether there is a sign bit.
    public let hasSignBit: Bool
    /// Width of the integer field I.
    public let integerBits: Int
    /// Width of the fraction field m.
    public let fractionBits: Int
    /// Binary or decimal implicit exponent.
    public let radix: Radix

    /// A binary Qm.n format: `integerBits` = m, `fractionBits` = n, E = 2^−n.
    /// - Throws: ``QuantizationError/invalidFixedPointLayout(_:)`` for negative widths or more than
    ///   53 magnitude bits (Double must hold every value exactly).
    public static func binary(integerBits: Int, fractionBits: Int, signed: Bool = true) throws(QuantizationError)
        -> FixedPointFormat
    {
        try FixedPointFormat(hasSignBit: signed, integerBits: integerBits, fractionBits: fractionBits, radix: .binary)
    }

    /// A decimal format with E = 10^−digits; the fraction field is ⌈log2 10^digits⌉ bits wide.
    /// - Throws: ``QuantizationError/invalidFixedPointLayout(_:)`` for digits outside 1…15 or too many bits.
    public static func decimal(integerBits: Int, fractionDigits: Int, signed: Bool = true) throws(QuantizationError)
        -> FixedPointFormat
    {
        guard (1...15).contains(fractionDigits) else {
            throw .invalidFixedPointLayout("decimal fraction digits \(fractionDigits) outside 1...15")
        }
        var units: UInt64 = 1
        for _ in 0..<fractionDigits { units *= 10 }
        let bits = 64 - (units - 1).leadingZeroBitCount
        return try FixedPointFormat(
            hasSignBit: signed, integerBits: integerBits, fractionBits: bits, radix: .decimal(digits: fractionDigits))
    }

    init(hasSignBit: Bool, integerBits: Int, fractionBits: Int, radix: Radix) throws(QuantizationError) {
        guard integerBits >= 0, fractionBits >= 0 else {
            throw .invalidFixedPointLayout("negative field width (I \(integerBits), m \(fractionBits))")
        }
        guard integerBits + fractionBits <= 53, integerBits + fractionBits >= 1 else {
            throw .invalidFixedPointLayout("I \(integerBits) + m \(fractionBits) bits must be 1...53")
        }
        self.hasSignBit = hasSignBit
        self.integerBits = integerBits
        self.fractionBits = fractionBits
        self.radix = radix
    }

    /// Total width: sign + I + m bits.
    public var bitWidth: Int { (hasSignBit ? 1 : 0) + integerBits + fractionBits }

    /// Fraction units per integer unit, 1/E: 2^n (binary) or 10^d (decimal).
    public var unitsPerOne: UInt64 {
        switch radix {
        case .binary: return 1 << UInt64(fractionBits)
        case .decimal(let digits):
            var u: UInt64 = 1
            for _ in 0..<digits { u *= 10 }
            return u
        }
    }

    /// The implicit exponent E = 1 / ``unitsPerOne`` (rounded to Double for decimal).
    public var implicitExponent: Double { 1 / Double(unitsPerOne) }

    /// Largest integer field value, 2^integerBits − 1.
    public var maxInteger: UInt64 { integerBits == 0 ? 0 : (UInt64(1) << UInt64(integerBits)) - 1 }

    /// Largest magnitude: maxInteger + (unitsPerOne − 1)·E.
    public var maxMagnitude: Double {
        decode(FixedPointValue(isNegative: false, integer: maxInteger, fraction: unitsPerOne - 1))
    }

    /// "Q7.8", "S.I12.E1e-3"-style names: binary "sQ7.8"/"uQ7.8", decimal "sI12.D3".
    public var description: String {
        let s = hasSignBit ? "s" : "u"
        switch radix {
        case .binary: return "\(s)Q\(integerBits).\(fractionBits)"
        case .decimal(let d): return "\(s)I\(integerBits).D\(d)"
        }
    }

    /// Encodes `x`: units = round(|x| · unitsPerOne) by `rounding`, I = units / unitsPerOne,
    /// m = units mod unitsPerOne, saturated at ``maxMagnitude`` (and at 0 for negative x without a sign
    /// bit). NaN encodes as +0 with ``FixedPointValue/saturated`` set; ±Inf saturate.
    public func encode(_ x: Double, rounding: RoundingRule = .toNearestOrEven) -> FixedPointValue {
        let maxUnits = maxInteger * unitsPerOne + (unitsPerOne - 1)
        if x.isNaN { return FixedPointValue(isNegative: false, integer: 0, fraction: 0, saturated: true) }
        let negative = x < 0
        if negative && !hasSignBit {
            return FixedPointValue(isNegative: false, integer: 0, fraction: 0, saturated: true)
        }
        let scaled = rounding.round(abs(x) * Double(unitsPerOne))
        var units: UInt64
        var saturated = false
        if scaled >= Double(maxUnits) {
            saturated = scaled > Double(maxUnits)
            units = maxUnits
        } else {
            units = UInt64(scaled)
        }
        if units == 0 { return FixedPointValue(isNegative: false, integer: 0, fraction: 0, saturated: saturated) }
        return FixedPointValue(
            isNegative: negative, integer: units / unitsPerOne, fraction: units % unitsPerOne, saturated: saturated)
    }

    /// Decodes (−1)^S · (I + m·E), computed as ±(I·unitsPerOne + m) / unitsPerOne (one rounding).
    public func decode(_ v: FixedPointValue) -> Double {
        let magnitude = Double(v.integer * unitsPerOne + v.fraction) / Double(unitsPerOne)
        return v.isNegative ? -magnitude : magnitude
    }

    /// The value of a signed count `q` of E = 10^−digits units, ±(I · 10^d + m) · E, as one rounding of the
    /// exact quotient: Float(Double(q) / 10^d) (q and 10^d are exact in Double), e.g. −12064 → −12.064.
    public static func decimalValue(units q: Int32, digits: Int) -> Float {
        var power = 1.0
        for _ in 0..<max(digits, 0) { power *= 10 }
        return Float(Double(q) / power)
    }

    /// The bit pattern S | I | m (MSB to LSB) of a value, in the low ``bitWidth`` bits.
    public func bits(of v: FixedPointValue) -> UInt64 {
        let sign: UInt64 = hasSignBit && v.isNegative ? 1 << UInt64(integerBits + fractionBits) : 0
        return sign | (v.integer << UInt64(fractionBits)) | v.fraction
    }

    /// The value of a bit pattern S | I | m (bits above ``bitWidth`` ignored). A decimal fraction field
    /// above 10^d − 1 is kept as is (it decodes past the next integer, as the formula says).
    public func value(ofBits pattern: UInt64) -> FixedPointValue {
        let fractionMask = fractionBits == 0 ? 0 : (UInt64(1) << UInt64(fractionBits)) - 1
        let integer = (pattern >> UInt64(fractionBits)) & maxInteger
        let negative = hasSignBit && (pattern >> UInt64(integerBits + fractionBits)) & 1 == 1
        return FixedPointValue(isNegative: negative, integer: integer, fraction: pattern & fractionMask)
    }
}

/// The fields of a ``FixedPointFormat`` value: sign S, integer part I, fraction units m.
public struct FixedPointValue: Sendable, Hashable, Codable {
    /// S = 1.
    public var isNegative: Bool
    /// uint(I).
    public var integer: UInt64
    /// uint(m), the number of E units.
    public var fraction: UInt64
    /// Whether encoding clipped the input (out of range, NaN, or negative without a sign bit).
    public var saturated: Bool

    /// Creates a value from its fields.
    public init(isNegative: Bool, integer: UInt64, fraction: UInt64, saturated: Bool = false) {
        self.isNegative = isNegative
        self.integer = integer
        self.fraction = fraction
        self.saturated = saturated
    }
}
