public import Observers

/// A compact histogram of everything an activation's observers saw, kept in the package so that a report
/// can plot the distribution without the activation files.
///
/// It is the exact histogram (``ExactHistogram``, per tensor or the channels' merged) coarsened by exact
/// pairwise bin merges onto the canonical grid of the same range with at most ``defaultBins`` bins: bin `i`
/// holds the values in `[lowerEdge + i·binWidth, lowerEdge + (i+1)·binWidth)`, `binWidth` is a power of two
/// and `lowerEdge` a multiple of it. Like the exact histogram it is the same for any batch size, thread
/// count, shard split or merge order, so packages stay byte-identical.
public struct ActivationHistogram: Codable, Sendable, Hashable {
    /// The most bins a compact histogram has (between half of it and all of it once the data spans more
    /// than one bin).
    public static let defaultBins = 256

    /// Lower edge of the first bin (a multiple of ``binWidth``).
    public var lowerEdge: Double
    /// Width of every bin, a power of two.
    public var binWidth: Double
    /// Finite values per bin; their sum is the number of finite values observed.
    public var counts: [UInt64]

    /// Merges `histograms` (one per tensor or one per channel) onto the canonical grid of their union with
    /// at most `bins` bins (``ExactHistogram/exponent(lo:hi:budget:)``); `nil` when none holds a value.
    ///
    /// Absolute bin `k` of a histogram with width `2^e` lands in bin `k >> (E − e)` of width `2^E`
    /// (exact pairwise coarsening; `E ≥ e` for every source, as a coarser budget over a wider range never
    /// needs finer bins).
    public init?(merging histograms: [ExactHistogram], bins: Int = ActivationHistogram.defaultBins) {
        let filled = histograms.filter { !$0.isEmpty }
        guard let lo = filled.map(\.min).min(), let hi = filled.map(\.max).max() else { return nil }
        let exponent = filled.reduce(ExactHistogram.exponent(lo: lo, hi: hi, budget: max(2, bins))) {
            max($0, $1.exponent)
        }
        let width = Double(sign: .plus, exponent: exponent, significand: 1)
        let first = Int64((Double(lo) / width).rounded(.down))
        let last = Int64((Double(hi) / width).rounded(.down))
        var counts = [UInt64](repeating: 0, count: Int(last - first) + 1)
        for h in filled {
            let shift = Int64(exponent - h.exponent)
            for (i, count) in h.counts.enumerated() where count != 0 {
                counts[Int(((h.firstBin + Int64(i)) >> shift) - first)] += count
            }
        }
        lowerEdge = Double(first) * width
        binWidth = width
        self.counts = counts
    }
}
