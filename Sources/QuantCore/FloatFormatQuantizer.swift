/// Scaled floating-point quantization (FP8/FP6/FP4 with a float32 scale per block):
///
///     scale = amax / format.maxFinite          (amax = max |x| over the block's finite elements)
///     code  = encode(x / scale)                 (x / scale rounded to Float, then RNE to the format)
///     x̂     = decode(code) · scale
///
/// so the block's largest magnitude maps to ±maxFinite. Blocks follow the granularity: the whole
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

    /// The result of ``quantize(_:shape:)``: one code per element (row-major, like the input)
    /// and one scale per block, in the row-major order of ``FloatFormatQuantizer/scaleShape(for:)``.
    public struct Quantized: Sendable, Hashable {
        /// Codes in the low `format.bitWidth` bits, one per element.
        public var codes: [UInt8]
        /// Float32 scales, one per block.
        public var scales: [Float]
        /// Shape of the quantized tensor.
        public var shape: [Int]
    }

    /// Creates a quantizer for a format of at most 8 bits.
    ///
    /// - Throws: ``FloatFormatError/codeTypeTooNarrow(format:formatBits:codeBits:)`` for wider formats.
    public init(
        format: FloatFormat, granularity: Granularity, options: FloatFormat.EncodeOptions = .saturating
    ) throws(FloatFormatError) {
        guard format.bitWidth <= 8 else {
            throw .codeTypeTooNarrow(format: format.description, formatBits: format.bitWidth, codeBits: 8)
        }
        self.granularity = granularity
        codec = FloatFormatCodec(format: format, options: options)
    }

    /// The format of the codes.
    public var format: FloatFormat { codec.format }

    /// The tensor seen as [outer, length, inner] around the granularity's axis, with the number of
    /// consecutive indices along the axis that share a scale (`group`) and whether a block spans
    /// the outer and inner dimensions (per tensor, per channel) or not (per group).
    struct Layout {
        var outer: Int
        var length: Int
        var inner: Int
        var group: Int
        var perGroup: Bool

        var groupsPerAxis: Int { (length + group - 1) / group }
        var count: Int { outer * length * inner }
        var scaleCount: Int { perGroup ? outer * groupsPerAxis * inner : groupsPerAxis }

        /// Scale index of the run of `inner` elements at (o, j): per group it is the first of
        /// `inner` consecutive scales, else a single scale.
        func scaleIndex(outer o: Int, axis j: Int) -> Int {
            perGroup ? (o * groupsPerAxis + j / group) * inner : j / group
        }
    }

    func layout(for shape: [Int]) throws(FloatFormatError) -> Layout {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape: shape, reason: "negative extent") }
        let count = shape.reduce(1, *)
        func split(_ axis: Int) throws(FloatFormatError) -> (Int, Int, Int) {
            guard shape.indices.contains(axis) else {
                throw .invalidShape(shape: shape, reason: "axis \(axis) out of range for rank \(shape.count)")
            }
            return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
        }
        switch granularity {
        case .perTensor:
            return Layout(outer: 1, length: 1, inner: count, group: 1, perGroup: false)
        case .perChannel(let axis):
            let (outer, length, inner) = try split(axis)
            return Layout(outer: outer, length: length, inner: inner, group: 1, perGroup: false)
        case .perGroup(let axis, let size):
            guard size >= 1 else { throw .invalidShape(shape: shape, reason: "group size \(size) < 1") }
            let (outer, length, inner) = try split(axis)
            return Layout(outer: outer, length: length, inner: inner, group: size, perGroup: true)
        }
    }

    /// Shape of the scales: [] per tensor, [shape[axis]] per channel, `shape` with
    /// shape[axis] replaced by ⌈shape[axis] / size⌉ per group.
    ///
    /// - Throws: ``FloatFormatError/invalidShape(shape:reason:)``.
    public func scaleShape(for shape: [Int]) throws(FloatFormatError) -> [Int] {
        let layout = try layout(for: shape)
        switch granularity {
        case .perTensor: return []
        case .perChannel(let axis): return [shape[axis]]
        case .perGroup(let axis, _):
            var result = shape
            result[axis] = layout.groupsPerAxis
            return result
        }
    }

    /// The scale of every block: amax / maxFinite with the degenerate-block rules of the type.
    ///
    /// - Throws: ``FloatFormatError/invalidShape(shape:reason:)``,
    ///   ``FloatFormatError/lengthMismatch(input:output:)`` when `x.count` ≠ the shape's product.
    public func scales(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> [Float] {
        let layout = try layout(for: shape)
        guard x.count == layout.count else { throw .lengthMismatch(input: x.count, output: layout.count) }
        var amax = [Float](repeating: 0, count: layout.scaleCount)
        amax.withUnsafeMutableBufferPointer { amax in
            guard let base = x.baseAddress, let out = amax.baseAddress else { return }
            var offset = 0
            for o in 0..<layout.outer {
                for j in 0..<layout.length {
                    let s = layout.scaleIndex(outer: o, axis: j)
                    if layout.perGroup {
                        // |x| folded elementwise into `inner` consecutive scales; NaN and ±Inf skipped.
                        for i in 0..<layout.inner {
                            let a = abs(base[offset + i])
                            out[s + i] = a < .infinity && a > out[s + i] ? a : out[s + i]
                        }
                    } else {
                        out[s] = max(out[s], Self.finiteAbsMax(base + offset, count: layout.inner))
                    }
                    offset += layout.inner
                }
            }
        }
        let maxFinite = format.maxFinite
        return amax.map { a in
            // scale = amax / maxFinite; all-zero block → 1; never below the smallest normal Float.
            a == 0 ? 1 : max(a / maxFinite, .leastNormalMagnitude)
        }
    }

    /// max |x| over the finite elements of a contiguous run (0 for none); branch-free so it vectorizes.
    @inline(__always)
    static func finiteAbsMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var best: Float = 0
        for i in 0..<count {
            let a = abs(x[i])
            best = a < .infinity && a > best ? a : best
        }
        return best
    }

    /// Scales per block and codes per element of `x` (row-major with `shape`).
    ///
    /// - Throws: as ``scales(_:shape:)``.
    public func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int]) throws(FloatFormatError) -> Quantized {
        let scales = try scales(x, shape: shape)
        let layout = try layout(for: shape)
        var codes = [UInt8](repeating: 0, count: layout.count)
        try codes.withUnsafeMutableBufferPointer { codes throws(FloatFormatError) in
            try forEachRun(layout) { offset, scaleIndex, runLength throws(FloatFormatError) in
                try codec.encode(
                    UnsafeBufferPointer(rebasing: x[offset..<(offset + runLength)]), dividingBy: scales[scaleIndex],
                    into: UnsafeMutableBufferPointer(rebasing: codes[offset..<(offset + runLength)]))
            }
        }
        return Quantized(codes: codes, scales: scales, shape: shape)
    }

    /// Writes decode(code) · scale of every element into `values`.
    ///
    /// - Throws: ``FloatFormatError/lengthMismatch(input:output:)`` when `values`, the codes and
    ///   the scales do not fit `quantized.shape`; ``FloatFormatError/invalidShape(shape:reason:)``.
    public func dequantize(_ quantized: Quantized, into values: UnsafeMutableBufferPointer<Float>) throws(FloatFormatError) {
        let layout = try layout(for: quantized.shape)
        guard quantized.codes.count == layout.count, values.count == layout.count else {
            throw .lengthMismatch(input: quantized.codes.count, output: values.count)
        }
        guard quantized.scales.count == layout.scaleCount else {
            throw .lengthMismatch(input: quantized.scales.count, output: layout.scaleCount)
        }
        try quantized.codes.withUnsafeBufferPointer { codes throws(FloatFormatError) in
            try forEachRun(layout) { offset, scaleIndex, runLength throws(FloatFormatError) in
                try codec.decode(
                    UnsafeBufferPointer(rebasing: codes[offset..<(offset + runLength)]),
                    multipliedBy: quantized.scales[scaleIndex],
                    into: UnsafeMutableBufferPointer(rebasing: values[offset..<(offset + runLength)]))
            }
        }
    }

    /// Calls `body(offset, scaleIndex, length)` for every maximal contiguous run of elements that
    /// share one scale, in memory order (per group across a non-last axis, runs are single elements).
    func forEachRun(
        _ layout: Layout, _ body: (Int, Int, Int) throws(FloatFormatError) -> Void
    ) throws(FloatFormatError) {
        var offset = 0
        for o in 0..<layout.outer {
            var j = 0
            while j < layout.length {
                let s = layout.scaleIndex(outer: o, axis: j)
                if layout.perGroup && layout.inner > 1 {
                    for i in 0..<layout.inner { try body(offset + i, s + i, 1) }
                    offset += layout.inner
                    j += 1
                } else {
                    // Per group with inner == 1: the group's indices are contiguous.
                    let end = layout.perGroup ? min((j / layout.group + 1) * layout.group, layout.length) : j + 1
                    try body(offset, s, (end - j) * layout.inner)
                    offset += (end - j) * layout.inner
                    j = end
                }
            }
        }
    }
}
