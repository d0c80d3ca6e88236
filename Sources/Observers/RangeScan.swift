/// The result of one fused pass over a buffer: finite min and max, and the element counts.
///
/// `min`/`max` are over finite elements only; they are `+Inf`/`−Inf` when there was none.
/// The absolute maximum is `max(−min, max)` and needs no separate pass.
public struct RangeScan: Sendable, Hashable {
    /// Smallest finite element (`+Inf` if none).
    public var min: Float
    /// Largest finite element (`−Inf` if none).
    public var max: Float
    /// Element counts by class.
    public var counts: NonFiniteCounts

    /// An empty scan: no elements.
    public static let empty = RangeScan(min: .infinity, max: -.infinity, counts: NonFiniteCounts())

    /// Creates a scan result from its parts.
    public init(min: Float, max: Float, counts: NonFiniteCounts) {
        self.min = min
        self.max = max
        self.counts = counts
    }

    /// Whether at least one finite element was seen.
    public var hasFinite: Bool { counts.finite > 0 }

    /// Largest finite magnitude, `max(−min, max)` (0 when there was no finite element).
    public var absMax: Float { hasFinite ? Swift.max(-min, max) : 0 }

    /// Combines with another scan (exact and order-independent: min, max and integer sums).
    public mutating func combine(_ other: RangeScan) {
        if other.min < min { min = other.min }
        if other.max > max { max = other.max }
        counts.add(other.counts)
    }

    /// Scans `buffer` in one pass: min, max (finite only) and NaN/±Inf counts.
    ///
    /// Fast path: 64-element blocks with four SIMD16 accumulators updated with
    /// `replace(with:where:)`, plus a poison accumulator `p += x·0` that becomes NaN exactly when the
    /// block held a NaN or ±Inf (x·0 is 0 for finite x). Only such blocks are rescanned element by
    /// element to skip and count the non-finite values, so clean data costs two compares, two
    /// blends and one multiply-add per element.
    @inlinable
    public static func scan(_ buffer: UnsafeBufferPointer<Float>) -> RangeScan {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .empty }
        let n = buffer.count
        var result = RangeScan.empty
        let block = 4096
        var start = 0
        while start < n {
            let end = Swift.min(start + block, n)
            let (bmin, bmax, clean) = scanBlock(base, start, end)
            if clean {
                if bmin < result.min { result.min = bmin }
                if bmax > result.max { result.max = bmax }
                result.counts.finite += UInt64(end - start)
            } else {
                result.combine(scanScalar(base, start, end))
            }
            start = end
        }
        return result
    }

    /// Min and max of `base[start..<end]` ignoring NaN, and whether the block was all finite.
    @inlinable
    static func scanBlock(_ base: UnsafePointer<Float>, _ start: Int, _ end: Int) -> (Float, Float, Bool) {
        var mn0 = SIMD16<Float>(repeating: .infinity)
        var mx0 = SIMD16<Float>(repeating: -.infinity)
        var mn1 = mn0
        var mx1 = mx0
        var poison = SIMD16<Float>(repeating: 0)
        var i = start
        let raw = UnsafeRawPointer(base)
        while i + 32 <= end {
            let a = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD16<Float>.self)
            mn0.replace(with: a, where: a .< mn0)
            mx0.replace(with: a, where: a .> mx0)
            mn1.replace(with: b, where: b .< mn1)
            mx1.replace(with: b, where: b .> mx1)
            poison += a * 0 + b * 0
            i &+= 32
        }
        mn0.replace(with: mn1, where: mn1 .< mn0)
        mx0.replace(with: mx1, where: mx1 .> mx0)
        var mn = mn0.min()
        var mx = mx0.max()
        var clean = poison.sum() == 0
        while i < end {
            let x = base[i]
            if x < mn { mn = x }
            if x > mx { mx = x }
            if !x.isFinite { clean = false }
            i &+= 1
        }
        return (mn, mx, clean)
    }

    /// Element-by-element scan of `base[start..<end]` that skips and counts non-finite values.
    @inlinable
    static func scanScalar(_ base: UnsafePointer<Float>, _ start: Int, _ end: Int) -> RangeScan {
        var r = RangeScan.empty
        for i in start..<end {
            let x = base[i]
            if x.isFinite {
                if x < r.min { r.min = x }
                if x > r.max { r.max = x }
                r.counts.finite += 1
            } else if x.isNaN {
                r.counts.nan += 1
            } else if x > 0 {
                r.counts.positiveInfinity += 1
            } else {
                r.counts.negativeInfinity += 1
            }
        }
        return r
    }
}
