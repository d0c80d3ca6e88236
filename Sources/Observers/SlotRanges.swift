public import QuantCore

/// Per-slot finite minimum and maximum: the statistic of the min-max observers.
///
/// Empty slots (no finite element yet) hold `min = +Inf`, `max = −Inf`. Min and max are exact, so
/// merging two `SlotRanges` (element-wise min/max) is exact and order-independent.
public struct SlotRanges: Sendable, Hashable {
    /// Per-slot minimum (`+Inf` when the slot is empty).
    public var min: [Float]
    /// Per-slot maximum (`−Inf` when the slot is empty).
    public var max: [Float]

    /// `count` empty slots.
    public init(count: Int) {
        min = Array(repeating: .infinity, count: count)
        max = Array(repeating: -.infinity, count: count)
    }

    /// Number of slots.
    public var count: Int { min.count }

    /// Element-wise min/max with another set of the same size.
    public mutating func combine(_ other: SlotRanges) {
        for i in 0..<Swift.min(count, other.count) {
            if other.min[i] < min[i] { min[i] = other.min[i] }
            if other.max[i] > max[i] { max[i] = other.max[i] }
        }
    }

    /// Reduces `batch` into per-slot ranges for `layout`, and returns the element counts.
    ///
    /// Paths by layout (all single pass, contiguous inner loops):
    /// - per tensor, per channel with `inner ≥ 16`, per group with `inner == 1`: each contiguous run of
    ///   one slot is reduced with `RangeScan.scan`;
    /// - otherwise each contiguous `[channels·inner]` (per channel) or `[inner]` (per group) row is
    ///   folded element-wise into per-position accumulators (`elementwise`), which per channel are
    ///   reduced over `inner` at the end.
    public static func reduce(_ batch: UnsafeBufferPointer<Float>, layout: ParameterLayout) -> (
        SlotRanges, NonFiniteCounts
    ) {
        var out = SlotRanges(count: layout.parameterCount)
        var counts = NonFiniteCounts()
        guard let base = batch.baseAddress, batch.count > 0 else { return (out, counts) }
        switch layout.granularity {
        case .perTensor:
            let s = RangeScan.scan(batch)
            out.min[0] = s.min
            out.max[0] = s.max
            counts = s.counts
        case .perChannel:
            let (o, c, inn) = (layout.outer, layout.length, layout.inner)
            if inn >= 16 {
                for oi in 0..<o {
                    for ci in 0..<c {
                        let s = RangeScan.scan(UnsafeBufferPointer(start: base + (oi * c + ci) * inn, count: inn))
                        if s.min < out.min[ci] { out.min[ci] = s.min }
                        if s.max > out.max[ci] { out.max[ci] = s.max }
                        counts.add(s.counts)
                    }
                }
            } else {
                var acc = SlotRanges(count: c * inn)
                acc.min.withUnsafeMutableBufferPointer { mn in
                    acc.max.withUnsafeMutableBufferPointer { mx in
                        // Nil only for zero slots, where there is nothing to scan.
                        guard let mnBase = mn.baseAddress, let mxBase = mx.baseAddress else { return }
                        for oi in 0..<o {
                            counts.add(elementwise(base + oi * c * inn, c * inn, mnBase, mxBase))
                        }
                    }
                }
                for ci in 0..<c {
                    for ii in 0..<inn {
                        if acc.min[ci * inn + ii] < out.min[ci] { out.min[ci] = acc.min[ci * inn + ii] }
                        if acc.max[ci * inn + ii] > out.max[ci] { out.max[ci] = acc.max[ci * inn + ii] }
                    }
                }
            }
        case .perGroup:
            let (o, c, inn, g, size) = (
                layout.outer, layout.length, layout.inner, layout.groupsPerAxis, layout.groupSize
            )
            if inn == 1 {
                for oi in 0..<o {
                    for gi in 0..<g {
                        let c0 = gi * size
                        let c1 = Swift.min(c0 + size, c)
                        let s = RangeScan.scan(UnsafeBufferPointer(start: base + oi * c + c0, count: c1 - c0))
                        out.min[oi * g + gi] = s.min
                        out.max[oi * g + gi] = s.max
                        counts.add(s.counts)
                    }
                }
            } else {
                out.min.withUnsafeMutableBufferPointer { mn in
                    out.max.withUnsafeMutableBufferPointer { mx in
                        // Nil only for zero slots, where there is nothing to scan.
                        guard let mnBase = mn.baseAddress, let mxBase = mx.baseAddress else { return }
                        for oi in 0..<o {
                            for ci in 0..<c {
                                let slot0 = (oi * g + ci / size) * inn
                                counts.add(
                                    elementwise(
                                        base + (oi * c + ci) * inn, inn, mnBase + slot0,
                                        mxBase + slot0))
                            }
                        }
                    }
                }
            }
        }
        return (out, counts)
    }

    /// Folds `src[0..<n]` element-wise into `mn[0..<n]`/`mx[0..<n]`, skipping non-finite values,
    /// and returns the element counts. SIMD16 with `replace(with:where:)`; the finite mask is
    /// `−Inf < x < +Inf` (false for NaN).
    @inlinable
    static func elementwise(
        _ src: UnsafePointer<Float>, _ n: Int, _ mn: UnsafeMutablePointer<Float>,
        _ mx: UnsafeMutablePointer<Float>
    ) -> NonFiniteCounts {
        var i = 0
        var poison = SIMD16<Float>(repeating: 0)
        let rs = UnsafeRawPointer(src)
        let rmn = UnsafeMutableRawPointer(mn)
        let rmx = UnsafeMutableRawPointer(mx)
        let inf = SIMD16<Float>(repeating: .infinity)
        while i + 16 <= n {
            let v = rs.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            var a = rmn.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            var b = rmx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let finite = (v .< inf) .& (v .> -inf)
            a.replace(with: v, where: finite .& (v .< a))
            b.replace(with: v, where: finite .& (v .> b))
            rmn.storeBytes(of: a, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            rmx.storeBytes(of: b, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            poison += v * 0
            i &+= 16
        }
        while i < n {
            let x = src[i]
            if x.isFinite {
                if x < mn[i] { mn[i] = x }
                if x > mx[i] { mx[i] = x }
            }
            i &+= 1
        }
        if poison.sum() == 0 && (0..<n).dropFirst(n - n % 16).allSatisfy({ src[$0].isFinite }) {
            return NonFiniteCounts(finite: UInt64(n), nan: 0, positiveInfinity: 0, negativeInfinity: 0)
        }
        return RangeScan.scanScalar(src, 0, n).counts
    }
}
