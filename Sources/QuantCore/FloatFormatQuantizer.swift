/// Scaled floating-point quantization (FP8/FP6/FP4 with a float32 scale per block):
///
///     scale = amax / format.maxFinite          (amax = max |x| over the block's finite elements)
///     code  = encode(x / scale)                 (x / scale rounded to Float, then RNE to the format)
///     x̂     = decode(code) · scale
///
/// so the block's largest magnitude maps to ±maxFinite; or, with ``ScaleRule/powerOfTwo``, the
/// OCP MX shared scale 2^(⌊log2 amax⌋ − emax) (see ``ScaleRule``). Blocks follow the granularity: the whole
/// tensor, one block per index along `axis` (per channel), or groups of `size` consecutive
/// indices along `axis` for every other index (per group; the last group may be partial).
///
/// Degenerate blocks: an all-zero (or all non-finite) block gets scale 1 and encodes its zeros
/// exactly; a scale that would underflow below `Float.leastNormalMagnitude` (amax < 2^−126 ·
/// maxFinite) is raised to it, so x / scale stays finite. Non-finite elements do not enter amax
/// and are encoded by the codec's ``FloatFormat/EncodeOptions`` (saturating by default: ±Inf →
/// ±maxFinite, NaN → NaN where the format has one).
public struct FloatFormatQuantizer: Sendable {
    /// Which elements share a scale.
    public let granularity: Granularity
    /// Format, encode options and decode table.
    public let codec: FloatFormatCodec
    /// How a block's scale follows from its amax.
    public let scaleRule: ScaleRule

    /// How a block's scale follows from its amax (the largest finite magnitude in the block).
    public enum ScaleRule: Sendable, Hashable {
        /// scale = amax / maxFinite, a float32 division: amax maps to ±maxFinite (TensorRT /
        /// ModelOpt / Transformer Engine FP8 per-tensor scaling, NVFP4's block scale before its own
        /// E4M3 rounding).
        case amaxOverMaxFinite
        /// OCP Microscaling (MX v1.0): scale = 2^(⌊log2 amax⌋ − emax) with emax the exponent of
        /// the format's largest normal (E4M3: 8, E5M2: 15, E3M2: 4, E2M3: 2, E2M1: 2), the exponent
        /// clamped to E8M0's −127…127. amax / scale lies in [2^emax, 2^(emax+1)) and may exceed
        /// maxFinite: those values saturate (use saturating options, the default, as the spec does).
        case powerOfTwo
    }

    /// The result of ``quantize(_:shape:)``: one code per element (row-major, like the input)
    /// and one scale per block, in the row-major order of the layout's `parameterShape`.
    public struct Quantized: Sendable, Hashable {
        /// Codes in the low `format.bitWidth` bits, one per element.
        public var codes: [UInt8]
        /// Float32 scales, one per block.
        public var scales: [Float]
        /// Shape of the quantized tensor.
        public var shape: [Int]

        /// Wraps stored codes and scales (e.g. read back from a file) for ``FloatFormatQuantizer/dequantize(_:into:)``,
        /// which checks that they fit `shape`.
        public init(codes: [UInt8], scales: [Float], shape: [Int]) {
            self.codes = codes
            self.scales = scales
            self.shape = shape
        }
    }

    /// Creates a quantizer for a format of at most 8 bits.
    ///
    /// - Throws: ``FloatFormatError/codeTypeTooNarrow(format:formatBits:codeBits:)`` for wider formats.
    public init(
        format: FloatFormat, granularity: Granularity, scaleRule: ScaleRule = .amaxOverMaxFinite,
        options: FloatFormat.EncodeOptions = .saturating
    ) throws(FloatFormatError) {
        guard format.bitWidth <= 8 else {
            throw .codeTypeTooNarrow(format: format.description, formatBits: format.bitWidth, codeBits: 8)
        }
        self.granularity = granularity
        self.scaleRule = scaleRule
        codec = FloatFormatCodec(format: format, options: options)
    }

    /// The format of the codes.
    public var format: FloatFormat { codec.format }

    /// The shape resolved against the granularity.
    ///
    /// - Throws: ``FloatFormatError/invalidLayout(_:)``.
    public func layout(for shape: [Int]) throws(FloatFormatError) -> ParameterLayout {
        do {
            return try granularity.layout(shape: shape)
        } catch {
            throw .invalidLayout(error)
        }
    }

    /// The scale of every block, in the row-major order of the layout's `parameterShape`:
    /// ``scale(forAmax:)`` of each block's ``blockAmax(_:shape:)``.
    ///
    /// - Throws: ``FloatFormatError/invalidLayout(_:)``,
    ///   ``FloatFormatError/lengthMismatch(input:output:)`` when `x.count` ≠ the shape's product.
    public func scales(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> [Float] {
        try blockAmax(x, shape: shape).map(scale(forAmax:))
    }

    /// amax = max |x| over each block's finite elements (0 for a block without any), in the row-major
    /// order of the layout's `parameterShape`.
    ///
    /// - Throws: as ``scales(_:shape:)``.
    public func blockAmax(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> [Float] {
        let layout = try layout(for: shape)
        guard x.count == layout.count else { throw .lengthMismatch(input: x.count, output: layout.count) }
        var amax = [Float](repeating: 0, count: layout.parameterCount)
        if let base = x.baseAddress {
            try amax.withUnsafeMutableBufferPointer { amax throws(FloatFormatError) in
                try forEachRun(layout) { run throws(FloatFormatError) in
                    let values = base + run.offset
                    if run.elementwise {
                        for k in 0..<run.count {
                            let a = abs(values[k])
                            let best = amax[run.scaleIndex + k]
                            amax[run.scaleIndex + k] = a < .infinity && a > best ? a : best
                        }
                    } else {
                        amax[run.scaleIndex] = max(amax[run.scaleIndex], Self.finiteAbsMax(values, count: run.count))
                    }
                }
            }
        }
        return amax
    }

    /// The scale of a block whose largest finite magnitude is `amax` (≥ 0), by ``scaleRule``: 1 for
    /// `amax == 0`; amax / maxFinite (never below `Float.leastNormalMagnitude`); or the OCP MX power of two.
    public func scale(forAmax amax: Float) -> Float {
        guard amax > 0 else { return 1 }
        switch scaleRule {
        case .amaxOverMaxFinite:
            // scale = amax / maxFinite, never below the smallest normal Float.
            return max(amax / format.maxFinite, .leastNormalMagnitude)
        case .powerOfTwo:
            // scale = 2^(⌊log2 amax⌋ − emax); Float.exponent is ⌊log2⌋ exactly, subnormals included.
            let k = min(max(Int(amax.exponent) - Int(format.maxFinite.exponent), -127), 127)
            return Float(sign: .plus, exponent: k, significand: 1)
        }
    }

    /// Scales per block and codes per element of `x` (row-major with `shape`).
    ///
    /// - Throws: as ``scales(_:shape:)``.
    public func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> Quantized {
        try quantize(x, shape: shape, scales: try scales(x, shape: shape))
    }

    /// Codes per element of `x` (row-major with `shape`) with the given `scales`, one per block in the
    /// row-major order of the layout's `parameterShape`: code = encode(x / scale). A scale of +∞ encodes
    /// its block as zeros.
    ///
    /// - Throws: as ``scales(_:shape:)``; ``FloatFormatError/lengthMismatch(input:output:)`` when
    ///   `scales` does not have one value per block.
    public func quantize(
        _ x: UnsafeBufferPointer<Float>, shape: [Int], scales: [Float]
    ) throws(FloatFormatError) -> Quantized {
        let layout = try layout(for: shape)
        guard x.count == layout.count else { throw .lengthMismatch(input: x.count, output: layout.count) }
        guard scales.count == layout.parameterCount else {
            throw .lengthMismatch(input: scales.count, output: layout.parameterCount)
        }
        var codes = [UInt8](repeating: 0, count: layout.count)
        try codes.withUnsafeMutableBufferPointer { codes throws(FloatFormatError) in
            try scales.withUnsafeBufferPointer { scales throws(FloatFormatError) in
                // No elements, or no scales (then no elements either): nothing to encode.
                guard let input = x.baseAddress, let output = codes.baseAddress, let scaleBase = scales.baseAddress
                else {
                    return
                }
                try forEachRun(layout) { run throws(FloatFormatError) in
                    if run.elementwise {
                        let source = UnsafeBufferPointer(start: input + run.offset, count: run.count)
                        let out = UnsafeMutableBufferPointer(start: output + run.offset, count: run.count)
                        codec.encode(source, dividingByEach: scaleBase + run.scaleIndex, into: out)
                    } else {
                        codec.encodeRun(
                            input + run.offset, count: run.count, dividingBy: scaleBase[run.scaleIndex],
                            into: output + run.offset)
                    }
                }
            }
        }
        return Quantized(codes: codes, scales: scales, shape: shape)
    }

    /// max |x| over the finite elements of a contiguous run (0 for none). Non-negative floats
    /// order like their bit patterns, so this is an integer max over |x|'s bits (NaN and ±Inf,
    /// bits ≥ 0x7F800000, count as 0), which LLVM vectorizes (a float compare-select reduction
    /// would stay scalar without fast-math).
    @inline(__always)
    static func finiteAbsMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var best: UInt32 = 0
        for i in 0..<count {
            let a = x[i].bitPattern & 0x7FFF_FFFF
            // All ones when a < 0x7F800000 (finite): the sign bit of a − 0x7F800000, as a mask.
            let finite = 0 &- ((a &- 0x7F80_0000) >> 31)
            best = max(best, a & finite)
        }
        return Float(bitPattern: best)
    }

    /// Writes x̂ = decode(encode(x / scale)) · scale of every element into `values`
    /// (quantize then dequantize, for error measurements).
    ///
    /// - Throws: as ``quantize(_:shape:)``; ``FloatFormatError/lengthMismatch(input:output:)``.
    public func fakeQuantize(
        _ x: UnsafeBufferPointer<Float>, shape: [Int], into values: UnsafeMutableBufferPointer<Float>
    ) throws(FloatFormatError) {
        try dequantize(try quantize(x, shape: shape), into: values)
    }

    /// Writes decode(code) · scale of every element into `values`.
    ///
    /// - Throws: ``FloatFormatError/lengthMismatch(input:output:)`` when `values`, the codes and
    ///   the scales do not fit `quantized.shape`; ``FloatFormatError/invalidLayout(_:)``.
    public func dequantize(_ quantized: Quantized, into values: UnsafeMutableBufferPointer<Float>)
        throws(FloatFormatError)
    {
        let layout = try layout(for: quantized.shape)
        guard quantized.codes.count == layout.count, values.count == layout.count else {
            throw .lengthMismatch(input: quantized.codes.count, output: values.count)
        }
        guard quantized.scales.count == layout.parameterCount else {
            throw .lengthMismatch(input: quantized.scales.count, output: layout.parameterCount)
        }
        try quantized.codes.withUnsafeBufferPointer { codes throws(FloatFormatError) in
            try quantized.scales.withUnsafeBufferPointer { scales throws(FloatFormatError) in
                guard let scaleBase = scales.baseAddress else { return }  // no scales: no elements
                try forEachRun(layout) { run throws(FloatFormatError) in
                    let source = UnsafeBufferPointer(rebasing: codes[run.offset..<(run.offset + run.count)])
                    let out = UnsafeMutableBufferPointer(rebasing: values[run.offset..<(run.offset + run.count)])
                    if run.elementwise {
                        codec.decode(source, multipliedByEach: scaleBase + run.scaleIndex, into: out)
                    } else {
                        try codec.decode(source, multipliedBy: scales[run.scaleIndex], into: out)
                    }
                }
            }
        }
    }

    /// A contiguous run of elements: either all under the scale `scaleIndex`, or (`elementwise`,
    /// per group across a non-last axis) element k under the scale `scaleIndex + k`.
    struct Run {
        var offset: Int
        var scaleIndex: Int
        var count: Int
        var elementwise: Bool
    }

    /// Calls `body` for every maximal run of the layout, in memory order.
    @inline(__always)
    func forEachRun(_ layout: ParameterLayout, _ body: (Run) throws(FloatFormatError) -> Void) throws(FloatFormatError)
    {
        let perGroup = if case .perGroup = layout.granularity { true } else { false }
        let (inner, group) = (layout.inner, layout.groupSize)
        var offset = 0
        for o in 0..<layout.outer {
            var j = 0
            while j < layout.length {
                // ParameterLayout: (o·groupsPerAxis + j / groupSize)·inner per group, j per channel, 0 per tensor.
                let s = perGroup ? (o * layout.groupsPerAxis + j / group) * inner : j / group
                if perGroup && inner > 1 {
                    // The `inner` consecutive elements at (o, j) use `inner` consecutive scales.
                    try body(Run(offset: offset, scaleIndex: s, count: inner, elementwise: true))
                    offset += inner
                    j += 1
                } else {
                    // Per group with inner == 1 the group's indices are contiguous.
                    let end = perGroup ? min((j / group + 1) * group, layout.length) : j + 1
                    try body(Run(offset: offset, scaleIndex: s, count: (end - j) * inner, elementwise: false))
                    offset += (end - j) * inner
                    j = end
                }
            }
        }
    }
}
