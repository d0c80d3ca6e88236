/// Block-scaled minifloat quantization with a narrow shared scale per block of consecutive elements
/// along one axis (the reduction/input axis of a weight):
///
/// - OCP Microscaling (MX v1.0), blocks of 32, an E8M0 scale code c per block (the value 2^(c − 127)):
///
///       X    = 2^(⌊log2 amax_b⌋ − emax_elem)     (exponent clamped to −127…127; X = 1 for amax_b = 0)
///       code = element RNE(x / X), saturating    (MXFP8 E4M3/E5M2, MXFP6 E2M3/E3M2, MXFP4 E2M1)
///       x̂    = decode(code) · X
///
/// - NVFP4, blocks of 16 FP4 E2M1 values, an FP8 E4M3FN scale code per block and a float32 scale g per
///   tensor (every step a float32 operation, in this order):
///
///       g    = amax / (448 · 6)                   (g = 1 when that is 0)
///       c_b  = E4M3FN RNE((amax_b / 6) / g), saturating;   s_b = decode(c_b) · g
///       code = E2M1 RNE(x / s_b), saturating      (code ±0 for every element when s_b = 0)
///       x̂    = decode(code) · s_b
///
/// amax is over finite elements only; the elements reuse ``FloatFormatQuantizer`` (per-group layout).
public struct BlockScaledQuantizer: Sendable {
    /// Which block-scaled format.
    public enum Scheme: Sendable, Hashable {
        /// OCP MX with this element format (E4M3FN, E5M2, E2M3, E3M2 or E2M1).
        case microscaling(element: FloatFormat)
        /// NVIDIA NVFP4.
        case nvfp4
    }

    /// The format.
    public let scheme: Scheme
    /// The axis the blocks run along.
    public let axis: Int
    /// The element quantizer (per group of ``blockSize`` along ``axis``).
    public let elements: FloatFormatQuantizer

    /// Stored codes: one element code per value (row-major), one scale code per block (row-major over the
    /// per-group parameter shape), and NVFP4's float32 tensor scale.
    public struct Quantized: Sendable, Hashable {
        /// Element codes in the low bits of each byte.
        public var codes: [UInt8]
        /// E8M0 (MX) or E4M3FN (NVFP4) scale codes, one per block.
        public var scaleCodes: [UInt8]
        /// NVFP4's per-tensor scale g; `nil` for MX.
        public var globalScale: Float?
        /// Shape of the tensor.
        public var shape: [Int]

        /// Wraps stored codes (e.g. read back from a file).
        public init(codes: [UInt8], scaleCodes: [UInt8], globalScale: Float?, shape: [Int]) {
            self.codes = codes
            self.scaleCodes = scaleCodes
            self.globalScale = globalScale
            self.shape = shape
        }
    }

    /// Creates a quantizer with blocks along `axis` (already resolved against the rank).
    public init(scheme: Scheme, axis: Int) throws(FloatFormatError) {
        self.scheme = scheme
        self.axis = axis
        switch scheme {
        case .microscaling(let element):
            elements = try FloatFormatQuantizer(
                format: element, granularity: .perGroup(axis: axis, size: 32), scaleRule: .powerOfTwo)
        case .nvfp4:
            elements = try FloatFormatQuantizer(format: .fp4E2M1, granularity: .perGroup(axis: axis, size: 16))
        }
    }

    /// Elements per block: 32 (MX) or 16 (NVFP4).
    public var blockSize: Int {
        switch scheme {
        case .microscaling: 32
        case .nvfp4: 16
        }
    }

    /// The float format of the scale codes: `nil` for E8M0 (MX), E4M3FN for NVFP4.
    public var scaleFormat: FloatFormat? {
        switch scheme {
        case .microscaling: nil
        case .nvfp4: .fp8E4M3FN
        }
    }

    /// The value of a scale code: 2^(c − 127) for E8M0 (NaN for 255), decode(c) for E4M3FN.
    public func scaleValue(ofCode code: UInt8) -> Float {
        guard let scaleFormat else { return Self.e8m0Value(code) }
        return scaleFormat.decode(UInt32(code))
    }

    /// The E8M0 value 2^(code − 127); 255 is NaN.
    public static func e8m0Value(_ code: UInt8) -> Float {
        code == 255 ? .nan : Float(sign: .plus, exponent: Int(code) - 127, significand: 1)
    }

    /// The E8M0 code of a power of two 2^k, k in −127…127: k + 127.
    static func e8m0Code(ofPowerOfTwo scale: Float) -> UInt8 {
        UInt8(clamping: Int(scale.exponent) + 127)
    }

    /// NVFP4's ratio amax / g: 448 · 6.
    public static let nvfp4GlobalDivisor: Float = 448 * 6

    /// Quantizes `x` (row-major with `shape`).
    ///
    /// - Throws: ``FloatFormatError/invalidLayout(_:)``, ``FloatFormatError/lengthMismatch(input:output:)``.
    public func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> Quantized {
        switch scheme {
        case .microscaling:
            let q = try elements.quantize(x, shape: shape)
            return Quantized(
                codes: q.codes, scaleCodes: q.scales.map(Self.e8m0Code(ofPowerOfTwo:)), globalScale: nil, shape: shape)
        case .nvfp4:
            let amax = try elements.blockAmax(x, shape: shape)
            let tensorAmax = amax.max() ?? 0
            let quotient = tensorAmax / Self.nvfp4GlobalDivisor
            let g: Float = quotient > 0 ? quotient : 1
            let e4m3 = FloatFormat.fp8E4M3FN
            let scaleCodes = amax.map { UInt8(truncatingIfNeeded: e4m3.encode(($0 / 6) / g, options: .saturating)) }
            // A block scale of 0 encodes its elements as ±0 (x / ∞).
            let divisors = scaleCodes.map { code -> Float in
                let s = e4m3.decode(UInt32(code)) * g
                return s > 0 ? s : .infinity
            }
            let q = try elements.quantize(x, shape: shape, scales: divisors)
            return Quantized(codes: q.codes, scaleCodes: scaleCodes, globalScale: g, shape: shape)
        }
    }

    /// The float32 scale of every block: 2^(c − 127) (MX) or decode(c) · g (NVFP4).
    public func blockScales(_ q: Quantized) -> [Float] {
        q.scaleCodes.map { code in scaleValue(ofCode: code) * (q.globalScale ?? 1) }
    }

    /// Writes decode(code) · block scale of every element into `values`.
    ///
    /// - Throws: ``FloatFormatError/lengthMismatch(input:output:)`` when the codes do not fit the shape.
    public func dequantize(_ q: Quantized, into values: UnsafeMutableBufferPointer<Float>) throws(FloatFormatError) {
        try elements.dequantize(
            FloatFormatQuantizer.Quantized(codes: q.codes, scales: blockScales(q), shape: q.shape), into: values)
    }
}
