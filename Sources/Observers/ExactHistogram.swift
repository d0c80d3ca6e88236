internal import CMomentKernels

/// A histogram whose bin counts are the same for any split, order or merge of the same data.
///
/// Bins have width `2^exponent` and are aligned at zero: absolute bin `k` holds `[k·w, (k+1)·w)`.
/// The grid is a function of the data's finite range only:
///
///     exponent = max(−149, ⌊log2 amax⌋ − 21, smallest e with ⌊hi/2^e⌋ − ⌊lo/2^e⌋ + 1 ≤ budget)
///
/// (`lo`, `hi`: finite min and max, `amax = max(|lo|, |hi|)`). Every term grows with the range,
/// so a sub-range never needs a coarser grid than the whole. When the range grows, bins are
/// coarsened by exact pairwise merges (`k → ⌊k/2⌋` per doubling of the width), which gives the same
/// counts as binning the data directly on the coarser grid. Counts are `UInt64`. Hence observing the
/// data in any batches, shards or order, then merging, yields identical `counts`, `firstBin` and
/// `exponent`. The second term keeps `|x|/w < 2^22`, which makes the float binning below exact (its
/// resolution, 2^-21 of the largest magnitude, is far below any quantization step, since zero is
/// always in the quantization range). Only bins from `⌊lo/w⌋` to `⌊hi/w⌋` are stored, so the
/// stored span is between about `budget/2` and `budget` bins once the data spans more than one.
public struct ExactHistogram: Sendable, Hashable {
    /// Smallest exponent: bins never get finer than the smallest subnormal Float32.
    public static let minimumExponent = -149
    /// Default bin budget (maximum stored bins).
    public static let defaultBudget = 4096

    /// Maximum number of stored bins (≥ 2).
    public let budget: Int
    /// Bin width is `2^exponent`.
    public private(set) var exponent: Int
    /// Absolute index of `counts[0]`.
    public private(set) var firstBin: Int64
    /// Bin counts from `firstBin` on.
    public private(set) var counts: [UInt64]
    /// Smallest finite value seen (`+Inf` when empty).
    public private(set) var min: Float
    /// Largest finite value seen (`−Inf` when empty).
    public private(set) var max: Float

    /// An empty histogram with at most `budget` bins.
    public init(budget: Int = ExactHistogram.defaultBudget) {
        self.budget = Swift.max(2, budget)
        exponent = Self.minimumExponent
        firstBin = 0
        counts = []
        min = .infinity
        max = -.infinity
    }

    /// Whether no finite value has been added.
    public var isEmpty: Bool { !(min <= max) }
    /// Number of values counted.
    public var total: UInt64 { counts.reduce(0, +) }
    /// Bin width `2^exponent`.
    public var binWidth: Double { Double(sign: .plus, exponent: exponent, significand: 1) }
    /// Lower edge of stored bin `i`.
    public func lowerEdge(_ i: Int) -> Double { Double(firstBin + Int64(i)) * binWidth }

    /// The canonical exponent for data in `[lo, hi]` (finite, `lo ≤ hi`) under `budget` bins.
    public static func exponent(lo: Float, hi: Float, budget: Int) -> Int {
        let amax = Swift.max(-lo, hi)
        var e = minimumExponent
        if amax > 0 { e = Swift.max(e, Int(amax.exponent) - 21) }
        while span(lo: lo, hi: hi, exponent: e) > budget { e += 1 }
        return e
    }

    /// `⌊x/2^e⌋` computed exactly in Double.
    @inlinable
    static func binIndex(_ x: Float, exponent e: Int) -> Int64 {
        Int64((Double(x) * Double(sign: .plus, exponent: -e, significand: 1)).rounded(.down))
    }

    static func span(lo: Float, hi: Float, exponent e: Int) -> Int {
        Int(binIndex(hi, exponent: e) - binIndex(lo, exponent: e)) + 1
    }

    /// The canonical grid of data in `[lo, hi]` under this histogram's budget: its exponent, the absolute
    /// index of its first bin and its number of bins.
    func grid(lo: Float, hi: Float) -> (exponent: Int, firstBin: Int64, bins: Int) {
        let e = Self.exponent(lo: lo, hi: hi, budget: budget)
        return (e, Self.binIndex(lo, exponent: e), Self.span(lo: lo, hi: hi, exponent: e))
    }

    /// Re-homes the counts onto the canonical grid of `[lo, hi]` (a superset of the current range).
    mutating func regrid(lo: Float, hi: Float, updateRange: Bool = true) {
        let (e, first, n) = grid(lo: lo, hi: hi)
        defer {
            if updateRange {
                min = Swift.min(min, lo)
                max = Swift.max(max, hi)
            }
        }
        if e == exponent && first == firstBin && n == counts.count { return }
        var fresh = [UInt64](repeating: 0, count: n)
        let shift = Int64(e - exponent)
        for (i, c) in counts.enumerated() where c != 0 {
            // Exact pairwise coarsening: absolute bin k at width w lands in ⌊k / 2^shift⌋ at width 2^shift·w.
            let k = (firstBin + Int64(i)) >> shift
            fresh[Int(k - first)] += c
        }
        exponent = e
        firstBin = first
        counts = fresh
    }

    /// The same counts on the canonical grid of `[min(lo, 0), max(hi, 0)]` (exact coarsening), with
    /// `min`/`max` unchanged: the grid that algorithms working outward from zero need (folding onto
    /// `|x|`, zero-centred windows). It has at most `budget` bins however far the data is from zero.
    public func includingZero() -> ExactHistogram {
        guard !isEmpty else { return self }
        var h = self
        h.regrid(lo: Swift.min(min, 0), hi: Swift.max(max, 0), updateRange: false)
        return h
    }

    /// Adds the finite values of `buffer`, whose `RangeScan` is `scan`.
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>, scan: RangeScan) {
        guard scan.hasFinite else { return }
        regrid(lo: Swift.min(min, scan.min), hi: Swift.max(max, scan.max))
        if scan.counts.nonFinite == 0 && exponent >= -126 && exponent <= 0 {
            addFast(buffer)
        } else {
            addScalar(buffer)
        }
    }

    /// Adds the finite values of `buffer` (scans it first).
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>) {
        add(buffer, scan: RangeScan.scan(buffer))
    }

    /// Adds `buffer` in the same pass as its ``RangeScan`` when every value is finite and the histogram's grid
    /// stays as it is (the canonical grid of the grown range is the current one), and returns the scan; or
    /// returns `nil` and changes nothing (an empty histogram, a grid a value falls outside of or that the
    /// range would change, a non-finite value, a new minimum or maximum that is a zero, whose sign the scan
    /// decides), and the caller adds the batch with a scan (``add(_:scan:)``). The state is then the same as
    /// after `add(buffer, scan: RangeScan.scan(buffer))`: a batch on an unchanged grid only adds counts and
    /// moves `min`/`max`, and the returned scan's `min`/`max` are the values' (a zero only when not new).
    ///
    /// Saves the separate scan of every batch after the first of a stream (`ptqkit_histogram_add_scanning`).
    public mutating func addFittingGrid(_ buffer: UnsafeBufferPointer<Float>) -> RangeScan? {
        addFittingGrid(buffer, path: ptqkit_histogram_add_path())
    }

    /// ``addFittingGrid(_:)`` on C code path `path` (tests hold the paths to the same result).
    mutating func addFittingGrid(_ buffer: UnsafeBufferPointer<Float>, path: Int32) -> RangeScan? {
        guard !isEmpty, exponent >= -126, exponent <= 0, !counts.isEmpty, counts.count < 1 << 23,
            let base = buffer.baseAddress
        else { return nil }
        var pending = [UInt64](repeating: 0, count: counts.count)
        var lo = Float.infinity
        var hi = -Float.infinity
        let inverseWidth = Float(sign: .plus, exponent: -exponent, significand: 1)
        let fitted = pending.withUnsafeMutableBufferPointer { p in
            ptqkit_histogram_add_scanning(
                path, base, buffer.count, inverseWidth, Float(firstBin), p.baseAddress, p.count, &lo, &hi)
        }
        guard fitted == 1, !(lo < min && lo == 0), !(hi > max && hi == 0) else { return nil }
        let (newLo, newHi) = (Swift.min(min, lo), Swift.max(max, hi))
        guard grid(lo: newLo, hi: newHi) == (exponent, firstBin, counts.count) else { return nil }
        (min, max) = (newLo, newHi)
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<c.count { c[i] &+= pending[i] }
        }
        var finite = NonFiniteCounts()
        finite.finite = UInt64(buffer.count)
        return RangeScan(min: lo, max: hi, counts: finite)
    }

    /// Exact element-by-element binning in Double, skipping non-finite values.
    mutating func addScalar(_ buffer: UnsafeBufferPointer<Float>) {
        let e = exponent
        let first = firstBin
        counts.withUnsafeMutableBufferPointer { c in
            for x in buffer where x.isFinite {
                c[Int(Self.binIndex(x, exponent: e) - first)] += 1
            }
        }
    }

    /// Binning of all-finite data on a grid with `−126 ≤ exponent ≤ 0` (`ptqkit_histogram_add`, C: AVX2
    /// where the CPU has it, portable C otherwise, the same counts on every path).
    ///
    /// `a = x·2^−e` is exact and `|a| < 2^22`, so `⌊a⌋ − firstBin` is an exact integer: the stored bin. The
    /// kernel counts into four interleaved `UInt16` sub-histograms (element `i` into `i mod 4`, so repeated
    /// bins do not serialize on one counter; 32 KiB for 4096 bins), added into the `UInt64` counts every
    /// 2^17 elements.
    mutating func addFast(_ buffer: UnsafeBufferPointer<Float>) {
        guard let base = buffer.baseAddress, !counts.isEmpty else { return }
        let inverseWidth = Float(sign: .plus, exponent: -exponent, significand: 1)
        let first = Float(firstBin)
        counts.withUnsafeMutableBufferPointer { c in
            // Non-nil: `counts` is not empty.
            guard let out = c.baseAddress else { return }
            ptqkit_histogram_add(base, buffer.count, inverseWidth, first, out, c.count)
        }
    }

    /// Merges another histogram (exact): both are re-gridded onto the union's canonical grid and
    /// their counts added.
    public mutating func merge(_ other: ExactHistogram) {
        guard !other.isEmpty else { return }
        var o = other
        let lo = Swift.min(min, other.min)
        let hi = Swift.max(max, other.max)
        regrid(lo: lo, hi: hi)
        o.regrid(lo: lo, hi: hi)
        for i in 0..<counts.count { counts[i] += o.counts[i] }
    }

    /// Restores a histogram from saved parts, validating them.
    public init(budget: Int, exponent: Int, firstBin: Int64, counts: [UInt64], min: Float, max: Float) throws {
        self.init(budget: budget)
        if counts.isEmpty && !(min <= max) { return }
        guard min.isFinite, max.isFinite, min <= max,
            exponent == Self.exponent(lo: min, hi: max, budget: self.budget),
            firstBin == Self.binIndex(min, exponent: exponent),
            counts.count == Self.span(lo: min, hi: max, exponent: exponent)
        else {
            throw ObserverError.invalidState(
                kind: "histogram", reason: "bins do not match the canonical grid of [\(min), \(max)]")
        }
        self.exponent = exponent
        self.firstBin = firstBin
        self.counts = counts
        self.min = min
        self.max = max
    }
}
