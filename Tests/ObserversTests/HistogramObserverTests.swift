import QuantCore
import Testing

@testable import Observers

@Suite struct HistogramObserverTests {
    static let percentileKeys = ["two_sided_99.99", "two_sided_99.0"]

    @Test(arguments: Goldens.names, percentileKeys)
    func twoSidedPercentileWithinOneBinOfNumpy(_ name: String, key: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let ref = try #require(f.numpy[key])
        var o = try HistogramObserver(options: .init(method: .percentile(.init(percentile: ref.p, tails: .each))))
        try o.observe(f.data, shape: f.shape)
        let r = try o.ranges()
        let w = o.state.histograms[0].binWidth
        #expect(abs(Double(r.high[0]) - ref.high) <= w, "high \(r.high[0]) vs numpy \(ref.high), bin \(w)")
        #expect(abs(Double(r.low[0]) - (ref.low ?? 0)) <= w, "low \(r.low[0]) vs numpy \(ref.low ?? 0), bin \(w)")
    }

    @Test(arguments: Goldens.names)
    func absolutePercentileWithinOneBinOfNumpy(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let ref = try #require(f.numpy["abs_99.99"])
        var o = try HistogramObserver(options: .init(method: .percentile(.init(percentile: 99.99, tails: .absolute))))
        try o.observe(f.data, shape: f.shape)
        let h = o.state.histograms[0]
        let a = Double(h.absQuantile(0.9999))
        #expect(abs(a - ref.high) <= h.binWidth, "|x| P99.99 \(a) vs numpy \(ref.high), bin \(h.binWidth)")
    }

    @Test(arguments: Goldens.names)
    func lowerEdgePercentileWithinOneBinOfOnnxRuntime(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let ref = try #require(f.onnxruntime["percentile_two_sided"])
        var o = try HistogramObserver(
            options: .init(method: .percentile(.init(percentile: 99.99, tails: .each, convention: .lowerEdge))))
        try o.observe(f.data, shape: f.shape)
        let r = try o.ranges()
        let tol = max(o.state.histograms[0].binWidth, ref.bin_width)
        #expect(abs(Double(r.low[0]) - ref.low) <= tol)
        #expect(abs(Double(r.high[0]) - ref.high) <= tol)
    }

    @Test(arguments: Goldens.names)
    func histogramGridAndCountsEqualNumpyBinning(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = try HistogramObserver(options: .init(bins: f.exact_grid.budget))
        try o.observe(f.data, shape: f.shape)
        let h = o.state.histograms[0]
        #expect(h.exponent == f.exact_grid.exponent)
        #expect(h.firstBin == f.exact_grid.first_bin)
        #expect(h.counts == f.exact_grid.counts)
    }

    /// ORT's `get_entropy_threshold`, run by the fixture script on the same (canonical) grid: equal, not
    /// merely close (more histograms in EntropyGoldenTests).
    @Test(arguments: Goldens.names)
    func onnxRuntimeEntropyEqualsORTOnTheSameGrid(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let ref = f.exact_grid
        var o = try HistogramObserver(
            options: .init(bins: ref.budget, method: .entropy(.init(algorithm: .onnxRuntime))))
        try o.observe(f.data, shape: f.shape)
        let r = try o.ranges(for: .integer(bits: 8, signed: true, symmetric: true))
        #expect(Double(r.low[0]) == ref.ort_entropy_low, "low \(r.low[0]) vs ORT \(ref.ort_entropy_low)")
        #expect(Double(r.high[0]) == ref.ort_entropy_high, "high \(r.high[0]) vs ORT \(ref.ort_entropy_high)")
    }

    @Test(arguments: Goldens.names)
    func tensorRTEntropyIsAClippingThreshold(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = try HistogramObserver(options: .init(method: .entropy(.init())))
        try o.observe(f.data, shape: f.shape)
        let r = try o.ranges()
        let h = o.state.histograms[0]
        // A symmetric threshold a, intersected with [min, max].
        let a = max(-r.low[0], r.high[0])
        #expect(a > 0 && a <= max(-h.min, h.max))
        #expect(r.low[0] == max(-a, h.min))
        #expect(r.high[0] == min(a, h.max))
    }
}
