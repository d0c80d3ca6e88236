// SIMD16 kernels for uniform affine quantization over contiguous row-major buffers.
//
// Every granularity is walked as runs of contiguous elements (AffineRunWalker):
// - uniform runs share one (s, z): the whole tensor, a channel's `inner` block, or a group along
//   the last axis;
// - varying runs give element j its own (s_j, z_j) from contiguous parameter arrays: per-channel along
//   a trailing axis (expanded once per call to one row of `length·inner` parameters), per-group with
//   inner > 1 (the `inner` parameters of a row are contiguous) and per-group along the last axis with
//   groups shorter than 16 (each row's parameters expanded into one reused buffer).
//
// Per 16 lanes (no per-element allocation, no SIMD int<->float initializers, no pointwiseMin/Max):
//   v = x / s   (or x · (1/s))
//   v = clamp(v, qmin − z, qmax − z)            in float, NaN → 0
//   w = v + M,  M = 1.5·2^23                    the add rounds to nearest even for |v| < 2^22
//   q = bits(w) − bits(M) + z                   the integer code, pure integer SIMD
// and half-away rounding fixes exact .5 ties of |v| before adding M.
// Fake-quantize returns s · (round(v)), bit-identical to dequantize(quantize(x)). Int32 codes of a
// uniform run come from the C kernel ptqkit_quantize_codes (the same operations, AVX2 at run time).

internal import CMomentKernels

/// 1.5 · 2^23: adding it to |v| < 2^22 rounds v to an integer (nearest even) in the low mantissa bits.
@usableFromInline let roundingMagic: Float = 12_582_912
/// The bit pattern of ``roundingMagic`` as Int32.
@usableFromInline let roundingMagicBits = Int32(bitPattern: 0x4B40_0000)

/// Clamped, rounded quotient v → integral Float in [lo, hi] (NaN → 0), by `rule`.
@inline(__always)
func roundClamped(_ v: SIMD16<Float>, lo: SIMD16<Float>, hi: SIMD16<Float>, awayFromZero: Bool) -> SIMD16<Float> {
    var v = v
    v.replace(with: lo, where: v .< lo)
    v.replace(with: hi, where: v .> hi)
    v.replace(with: 0, where: v .!= v)
    let m = SIMD16<Float>(repeating: roundingMagic)
    if !awayFromZero { return (v + m) - m }
    // Half away: round |v| to nearest even, then bump exact ties (|v| − t == 0.5) up; restore the sign.
    let negative = v .< 0
    let a = v.replacing(with: -v, where: negative)
    var t = (a + m) - m
    t.replace(with: t + 1, where: (a - t) .== 0.5)
    return t.replacing(with: -t, where: negative) + SIMD16<Float>()  // + 0 turns −0 into +0
}

/// Integral floats (|r| < 2^22) to Int32 codes `r + z` without a float→int conversion instruction.
@inline(__always)
func integerCodes(_ r: SIMD16<Float>, zero: SIMD16<Int32>) -> SIMD16<Int32> {
    let w = r + SIMD16<Float>(repeating: roundingMagic)
    return unsafeBitCast(w, to: SIMD16<Int32>.self) &- SIMD16<Int32>(repeating: roundingMagicBits) &+ zero
}

/// Int32 codes (|q| < 2^22) to Float without a conversion instruction: bits(M) + q reinterpreted, minus M.
@inline(__always)
func floatCodes(_ q: SIMD16<Int32>) -> SIMD16<Float> {
    unsafeBitCast(q &+ SIMD16<Int32>(repeating: roundingMagicBits), to: SIMD16<Float>.self)
        - SIMD16<Float>(repeating: roundingMagic)
}

/// What a kernel does with a run of contiguous elements.
protocol AffineRunVisitor {
    /// Elements `start..<start+count` share scale `s` and zero-point `z`.
    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32)
    /// Element `start + j` uses `scales[j]`, `zeroPoints[j]` (zero-points as exact Floats).
    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>)
}

extension QuantizationParameters {
    /// Walks the tensor as runs (see the file comment), calling `visitor` for each.
    func walkRuns<V: AffineRunVisitor>(_ visitor: inout V) {
        let l = layout
        guard l.count > 0 else { return }
        switch l.granularity {
        case .perTensor:
            visitor.uniform(start: 0, count: l.count, scale: scales[0], zeroPoint: zeroPoints[0])
        case .perChannel:
            if l.inner >= 16 || l.length == 1 {
                for o in 0..<l.outer {
                    for a in 0..<l.length {
                        visitor.uniform(
                            start: (o * l.length + a) * l.inner, count: l.inner, scale: scales[a],
                            zeroPoint: zeroPoints[a])
                    }
                }
            } else {
                // One row of length·inner parameters, shared by every outer index.
                let row = l.length * l.inner
                var s = [Float](repeating: 0, count: row)
                var z = [Float](repeating: 0, count: row)
                for a in 0..<l.length {
                    for i in 0..<l.inner {
                        s[a * l.inner + i] = scales[a]
                        z[a * l.inner + i] = Float(zeroPoints[a])
                    }
                }
                s.withUnsafeBufferPointer { sp in
                    z.withUnsafeBufferPointer { zp in
                        guard let sb = sp.baseAddress, let zb = zp.baseAddress else { return }
                        for o in 0..<l.outer {
                            visitor.varying(start: o * row, count: row, scales: sb, zeroPoints: zb)
                        }
                    }
                }
            }
        case .perGroup:
            let groups = l.groupsPerAxis
            let size = l.groupSize
            if l.inner == 1 && size < 16 {
                // Groups shorter than a SIMD vector: expand each row's parameters (one buffer reused).
                var s = [Float](repeating: 0, count: l.length)
                var z = [Float](repeating: 0, count: l.length)
                for o in 0..<l.outer {
                    for a in 0..<l.length {
                        s[a] = scales[o * groups + a / size]
                        z[a] = Float(zeroPoints[o * groups + a / size])
                    }
                    s.withUnsafeBufferPointer { sp in
                        z.withUnsafeBufferPointer { zp in
                            guard let sb = sp.baseAddress, let zb = zp.baseAddress else { return }
                            visitor.varying(start: o * l.length, count: l.length, scales: sb, zeroPoints: zb)
                        }
                    }
                }
            } else if l.inner == 1 {
                for o in 0..<l.outer {
                    for g in 0..<groups {
                        let first = g * size
                        let k = o * groups + g
                        visitor.uniform(
                            start: o * l.length + first, count: Swift.min(size, l.length - first),
                            scale: scales[k], zeroPoint: zeroPoints[k])
                    }
                }
            } else {
                let z = zeroPoints.map { Float($0) }
                scales.withUnsafeBufferPointer { sp in
                    z.withUnsafeBufferPointer { zp in
                        guard let sb = sp.baseAddress, let zb = zp.baseAddress else { return }
                        for o in 0..<l.outer {
                            for a in 0..<l.length {
                                let k = (o * groups + a / size) * l.inner
                                visitor.varying(
                                    start: (o * l.length + a) * l.inner, count: l.inner, scales: sb + k,
                                    zeroPoints: zb + k)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The quotient-and-round step shared by quantize and fake-quantize: r = round(clamp(x/s, qmin − z, qmax − z)),
/// an integral Float (NaN → 0). The code is r + z and the fake-quantized value s · r.
struct AffineRounder {
    let qmin: Int32, qmax: Int32
    let reciprocal: Bool
    let away: Bool
    let rounding: RoundingRule

    init(_ p: QuantizationParameters) {
        qmin = p.format.qmin
        qmax = p.format.qmax
        reciprocal = p.multipliesByReciprocal
        away = p.rounding == .toNearestOrAwayFromZero
        rounding = p.rounding
    }

    /// Scalar r for one value (tails of runs); equal to the SIMD lanes bit for bit (+0 for zero).
    @inline(__always)
    func scalar(_ x: Float, _ s: Float, _ z: Int32) -> Float {
        var v = reciprocal ? x * (1 / s) : x / s
        let lo = Float(qmin - z)
        let hi = Float(qmax - z)
        if v < lo { v = lo }
        if v > hi { v = hi }
        if v.isNaN { v = 0 }
        return rounding.round(v) + 0  // + 0: −0 → +0, as the SIMD path gives
    }

    /// The C kernels' description of a uniform run with scale s and zero point z (clamp bounds `qmin − z`,
    /// `qmax − z`, the quotient and the rounding rule; clipping bounds 0: ``ptqkit_quantize_codes`` does not
    /// read them, and ``QuantizationParameters/affineRun(parameter:)`` sets them for the fused measure).
    func run(scale: Float, zeroPoint: Int32) -> ptqkit_affine_run {
        ptqkit_affine_run(
            scale: scale, lo: Float(qmin - zeroPoint), hi: Float(qmax - zeroPoint), clip_low: 0, clip_high: 0,
            reciprocal: reciprocal ? 1 : 0, away: away ? 1 : 0)
    }

    /// Per-run constants for a uniform run: the divisor (or reciprocal) and the clamp bounds.
    @inline(__always)
    func uniformConstants(scale: Float, zeroPoint: Int32) -> (d: SIMD16<Float>, lo: SIMD16<Float>, hi: SIMD16<Float>) {
        (
            SIMD16(repeating: reciprocal ? 1 / scale : scale),
            SIMD16(repeating: Float(qmin - zeroPoint)), SIMD16(repeating: Float(qmax - zeroPoint))
        )
    }

    /// r for 16 values of a uniform run.
    @inline(__always)
    func uniform(_ x: SIMD16<Float>, d: SIMD16<Float>, lo: SIMD16<Float>, hi: SIMD16<Float>) -> SIMD16<Float> {
        roundClamped(reciprocal ? x * d : x / d, lo: lo, hi: hi, awayFromZero: away)
    }

    /// r, s and z (as Float) for 16 values of a varying run at element offset j.
    @inline(__always)
    func varying(
        _ x: UnsafeRawPointer, _ sp: UnsafeRawPointer, _ zp: UnsafeRawPointer, _ j: Int
    ) -> (r: SIMD16<Float>, s: SIMD16<Float>, z: SIMD16<Float>) {
        let s = sp.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
        let z = zp.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
        let xv = x.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
        let v = reciprocal ? xv * (SIMD16<Float>(repeating: 1) / s) : xv / s
        let r = roundClamped(
            v, lo: SIMD16(repeating: Float(qmin)) - z, hi: SIMD16(repeating: Float(qmax)) - z, awayFromZero: away)
        return (r, s, z)
    }
}

/// Quantize: Float → codes of type C.
struct QuantizeVisitor<C: QuantizedCode>: AffineRunVisitor {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<C>
    let rounder: AffineRounder

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        if C.self == Int32.self {
            // Int32 codes (every package's and streamed weight's): the C kernel, AVX2 when the CPU has it
            // (this module's Swift is compiled for baseline x86-64, SSE), the same codes bit for bit.
            var run = rounder.run(scale: scale, zeroPoint: zeroPoint)
            let q = UnsafeMutableRawPointer(output + start).assumingMemoryBound(to: Int32.self)
            ptqkit_quantize_codes(input + start, count, &run, zeroPoint, q)
            return
        }
        let x = UnsafeRawPointer(input + start)
        let q = output + start
        let (d, lo, hi) = rounder.uniformConstants(scale: scale, zeroPoint: zeroPoint)
        let z = SIMD16<Int32>(repeating: zeroPoint)
        var j = 0
        while j + 16 <= count {
            let r = rounder.uniform(
                x.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), d: d, lo: lo, hi: hi)
            let c = integerCodes(r, zero: z)
            for lane in 0..<16 { q[j + lane] = C(truncatingIfNeeded: c[lane]) }
            j += 16
        }
        while j < count {
            q[j] = C(truncatingIfNeeded: Int32(rounder.scalar(input[start + j], scale, zeroPoint)) + zeroPoint)
            j += 1
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        let x = UnsafeRawPointer(input + start)
        let q = output + start
        var j = 0
        while j + 16 <= count {
            let (r, _, z) = rounder.varying(x, scales, zeroPoints, j)
            // r + z is an exact integral Float (|r + z| < 2^17); convert it with offset 0.
            let c = integerCodes(r + z, zero: SIMD16<Int32>())
            for lane in 0..<16 { q[j + lane] = C(truncatingIfNeeded: c[lane]) }
            j += 16
        }
        while j < count {
            let z = Int32(zeroPoints[j])
            q[j] = C(truncatingIfNeeded: Int32(rounder.scalar(input[start + j], scales[j], z)) + z)
            j += 1
        }
    }
}

/// Dequantize: codes of type C → Float, x̂ = s · (q − z).
struct DequantizeVisitor<C: QuantizedCode>: AffineRunVisitor {
    let input: UnsafePointer<C>
    let output: UnsafeMutablePointer<Float>

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        let q = input + start
        let y = UnsafeMutableRawPointer(output + start)
        let s = SIMD16<Float>(repeating: scale)
        let z = SIMD16<Int32>(repeating: zeroPoint)
        var j = 0
        while j + 16 <= count {
            var c = SIMD16<Int32>()
            for lane in 0..<16 { c[lane] = Int32(truncatingIfNeeded: q[j + lane]) }
            y.storeBytes(of: s * floatCodes(c &- z), toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            output[start + j] = scale * Float(Int32(truncatingIfNeeded: q[j]) - zeroPoint)
            j += 1
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        let q = input + start
        let y = UnsafeMutableRawPointer(output + start)
        let sp = UnsafeRawPointer(scales)
        let zp = UnsafeRawPointer(zeroPoints)
        var j = 0
        while j + 16 <= count {
            var c = SIMD16<Int32>()
            for lane in 0..<16 { c[lane] = Int32(truncatingIfNeeded: q[j + lane]) }
            let s = sp.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            let zf = zp.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            y.storeBytes(of: s * (floatCodes(c) - zf), toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            output[start + j] = scales[j] * (Float(Int32(truncatingIfNeeded: q[j])) - zeroPoints[j])
            j += 1
        }
    }
}

/// Fake-quantize: Float → Float, x̂ = s · (clamp(round(x/s) + z) − z) = s · r, bit-identical to
/// dequantize(quantize(x)).
struct FakeQuantizeVisitor: AffineRunVisitor {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let rounder: AffineRounder

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        let x = UnsafeRawPointer(input + start)
        let y = UnsafeMutableRawPointer(output + start)
        let (d, lo, hi) = rounder.uniformConstants(scale: scale, zeroPoint: zeroPoint)
        let s = SIMD16<Float>(repeating: scale)
        var j = 0
        while j + 16 <= count {
            let r = rounder.uniform(
                x.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), d: d, lo: lo, hi: hi)
            y.storeBytes(of: s * r, toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            output[start + j] = scale * rounder.scalar(input[start + j], scale, zeroPoint)
            j += 1
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        let x = UnsafeRawPointer(input + start)
        let y = UnsafeMutableRawPointer(output + start)
        var j = 0
        while j + 16 <= count {
            let (r, s, _) = rounder.varying(x, scales, zeroPoints, j)
            y.storeBytes(of: s * r, toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            output[start + j] = scales[j] * rounder.scalar(input[start + j], scales[j], Int32(zeroPoints[j]))
            j += 1
        }
    }
}
