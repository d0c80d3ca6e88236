import QuantCore
import TestSupport
import Testing

@testable import Observers

/// A per-tensor min-max and histogram observer given a batch's `RangeScan` (one scan shared by both, as
/// the calibrator does for the default configuration) keep exactly the states they keep scanning it
/// themselves, with and without NaN/±Inf; per channel the given scan is ignored.
@Suite struct SharedScanTests {
    static func batches(seed: UInt64, nonFinite: Bool) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<5).map { b in
            (0..<(b == 2 ? 37 : 4096)).map { i -> Float in
                if nonFinite && i % 97 == 5 { return [Float.nan, .infinity, -.infinity][i % 3] }
                return Float.random(in: -3...3, using: &rng) * Float(b + 1)
            }
        }
    }

    @Test(arguments: [false, true])
    func perTensorStatesEqualTheirOwnScans(nonFinite: Bool) throws {
        var minmax = (MinMaxObserver(), MinMaxObserver())
        var histogram = (try HistogramObserver(), try HistogramObserver())
        for batch in Self.batches(seed: 7, nonFinite: nonFinite) {
            try batch.withUnsafeBufferPointer { values in
                let shape = [values.count]
                let scan = RangeScan.scan(values)
                try minmax.0.observe(values, shape: shape)
                try minmax.1.observe(values, shape: shape, scan: scan)
                try histogram.0.observe(values, shape: shape)
                try histogram.1.observe(values, shape: shape, scan: scan)
            }
        }
        #expect(minmax.0.state == minmax.1.state)
        #expect(histogram.0.state == histogram.1.state)
        #expect((minmax.0.state.counts.nan > 0) == nonFinite)
    }

    @Test func perChannelIgnoresTheScan() throws {
        let options = MinMaxObserver.Options(granularity: .perChannel(axis: 1))
        var minmax = (MinMaxObserver(options: options), MinMaxObserver(options: options))
        for batch in Self.batches(seed: 11, nonFinite: false) where batch.count % 8 == 0 {
            try batch.withUnsafeBufferPointer { values in
                try minmax.0.observe(values, shape: [values.count / 8, 8])
                try minmax.1.observe(values, shape: [values.count / 8, 8], scan: RangeScan.scan(values))
            }
        }
        #expect(minmax.0.state == minmax.1.state)
        #expect(minmax.0.state.ranges.count == 8)
    }
}
