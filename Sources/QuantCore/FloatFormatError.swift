/// Why a ``FloatFormat`` or a float-format operation was rejected.
public enum FloatFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The exponent width is outside 1…8.
    case exponentBitsOutOfRange(Int)
    /// The mantissa width is outside 0…23.
    case mantissaBitsOutOfRange(Int)
    /// An IEEE-like format needs at least 2 exponent bits and 1 mantissa bit
    /// (an all-ones exponent for Inf/NaN plus finite exponents, and a NaN mantissa).
    case ieeeNeedsRoom(exponentBits: Int, mantissaBits: Int)
    /// With this bias the finite values span 2^minExponent…2^maxExponent, outside what a
    /// `Float` holds exactly (2^−149…2^127).
    case notRepresentableAsFloat(bias: Int, minExponent: Int, maxExponent: Int)
    /// A bulk kernel was given a code type narrower than the format.
    case codeTypeTooNarrow(format: String, formatBits: Int, codeBits: Int)
    /// Input and output buffers of a bulk kernel differ in length.
    case lengthMismatch(input: Int, output: Int)
    /// A tensor shape does not fit the granularity (negative extent, axis out of range, group size < 1).
    case invalidLayout(QuantizationError)

    /// A one-line explanation naming the offending values.
    public var description: String {
        switch self {
        case .exponentBitsOutOfRange(let e): "exponent bits \(e) outside 1...8"
        case .mantissaBitsOutOfRange(let m): "mantissa bits \(m) outside 0...23"
        case .ieeeNeedsRoom(let e, let m):
            "IEEE-like format E\(e)M\(m) needs >= 2 exponent bits and >= 1 mantissa bit for Inf/NaN"
        case .notRepresentableAsFloat(let bias, let lo, let hi):
            "bias \(bias) gives values 2^\(lo)...2^\(hi), outside Float's exact range 2^-149...2^127"
        case .codeTypeTooNarrow(let format, let formatBits, let codeBits):
            "\(format) needs \(formatBits)-bit codes, the code buffer has \(codeBits)-bit elements"
        case .lengthMismatch(let input, let output):
            "input has \(input) elements, output has \(output)"
        case .invalidLayout(let cause): "invalid layout: \(cause)"
        }
    }
}
