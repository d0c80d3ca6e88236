import Observers
import TestSupport
import Testing

@testable import Calibrator

/// The compact histogram a package keeps per activation: the exact histograms (one per tensor or per
/// channel) coarsened onto the canonical grid of at most 256 bins, with the same counts as binning every
/// value on that grid directly, whatever the split.
struct ActivationHistogramTests {
    /// Values with a channel far from the others (so the channels' exact grids differ) and negative ones.
    static func channels(seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<5).map { c in
            (0..<3000).map { _ in Float(rng.normal()) * (c == 3 ? 40 : 1) + (c == 1 ? 5 : 0) }
        }
    }

    @Test func mergedChannelsEqualOneHistogramOfEverything() throws {
        let data = Self.channels(seed: 11)
        let perChannel = data.map { values in
            var h = ExactHistogram()
            values.withUnsafeBufferPointer { h.add($0) }
            return h
        }
        var direct = ExactHistogram(budget: ActivationHistogram.defaultBins)
        data.joined().map { $0 }.withUnsafeBufferPointer { direct.add($0) }
        let compact = try #require(ActivationHistogram(merging: perChannel))
        #expect(compact.counts == direct.counts)
        #expect(compact.lowerEdge == direct.lowerEdge(0))
        #expect(compact.binWidth == direct.binWidth)
        #expect(compact.counts.reduce(0, +) == UInt64(data.joined().count))
        #expect(compact.counts.count <= ActivationHistogram.defaultBins && compact.counts.count > 128)
        // The first bin holds the smallest value, the last the largest.
        let lo = Double(data.joined().min() ?? 0)
        let hi = Double(data.joined().max() ?? 0)
        #expect(compact.lowerEdge <= lo && lo < compact.lowerEdge + compact.binWidth)
        let last = compact.lowerEdge + Double(compact.counts.count - 1) * compact.binWidth
        #expect(last <= hi && hi < last + compact.binWidth)
    }

    @Test func splitAndOrderDoNotMatter() throws {
        let values = Array(Self.channels(seed: 5).joined())
        var whole = ExactHistogram()
        values.withUnsafeBufferPointer { whole.add($0) }
        var parts: [ExactHistogram] = []
        for chunk in stride(from: 0, to: values.count, by: 1777) {
            var h = ExactHistogram()
            values[chunk..<min(values.count, chunk + 1777)].withUnsafeBufferPointer { h.add($0) }
            parts.append(h)
        }
        let a = try #require(ActivationHistogram(merging: [whole]))
        #expect(ActivationHistogram(merging: parts) == a)
        #expect(ActivationHistogram(merging: parts.reversed()) == a)
    }

    @Test func nothingFiniteGivesNoHistogram() {
        #expect(ActivationHistogram(merging: []) == nil)
        #expect(ActivationHistogram(merging: [ExactHistogram(), ExactHistogram()]) == nil)
    }
}
