import QuantCore
import Testing

@testable import Observers

/// All-zero, constant, single-element, NaN-laden and ±Inf inputs give finite documented ranges,
/// or the configured error.
@Suite struct DegenerateInputTests {
    static let inputs: [(String, [Float])] = [
        ("all-zero", [Float](repeating: 0, count: 64)),
        ("constant", [Float](repeating: -3.25, count: 40)),
        ("single", [7.5]),
        ("all-nan", [Float](repeating: .nan, count: 33)),
        ("nan-laden", [1, .nan, -2, .nan, .nan, 0.5] + [Float](repeating: .nan, count: 20)),
        ("inf-laden", [.infinity, 1, -.infinity, 2, .infinity] + [Float](repeating: 0.25, count: 30)),
        ("empty", []),
    ]

    static let methods: [HistogramRangeMethod] = [
        .minmax, .percentile(.init()), .percentile(.init(tails: .absolute)), .percentile(.init(tails: .each)),
        .percentile(.init(convention: .lowerEdge)), .mse, .entropy(.init()), .entropy(.init(algorithm: .onnxRuntime)),
    ]

    /// Expected range: the finite min/max, or [0, 0] when there is no finite element.
    static func expected(_ x: [Float]) -> (Float, Float) {
        let f = x.filter(\.isFinite)
        return (f.min() ?? 0, f.max() ?? 0)
    }

    static func check(_ r: ObservedRanges, _ x: [Float], exact: Bool) {
        let (lo, hi) = expected(x)
        #expect(r.low.allSatisfy(\.isFinite) && r.high.allSatisfy(\.isFinite))
        #expect(zip(r.low, r.high).allSatisfy { $0 <= $1 })
        if exact {
            #expect(r.low == [lo] && r.high == [hi])
        } else {
            #expect(r.low[0] >= lo && r.high[0] <= hi)
        }
        #expect(r.counts.finite == UInt64(x.filter(\.isFinite).count))
        #expect(r.counts.nan == UInt64(x.filter(\.isNaN).count))
        #expect(r.counts.positiveInfinity == UInt64(x.filter { $0 == .infinity }.count))
        #expect(r.counts.negativeInfinity == UInt64(x.filter { $0 == -.infinity }.count))
        #expect(r.emptySlots == (x.contains(where: \.isFinite) ? 0 : 1))
    }

    @Test(arguments: inputs.map(\.0))
    func minMaxObserversGiveFiniteRanges(_ name: String) throws {
        let x = try #require(Self.inputs.first { $0.0 == name }?.1)
        var mm = MinMaxObserver()
        try mm.observe(x)
        Self.check(try mm.ranges(), x, exact: true)
        var ma = try MovingAverageMinMaxObserver()
        try ma.observe(x)
        Self.check(try ma.ranges(), x, exact: true)
    }

    @Test(arguments: inputs.map(\.0), methods)
    func histogramMethodsGiveFiniteRanges(_ name: String, method: HistogramRangeMethod) throws {
        let x = try #require(Self.inputs.first { $0.0 == name }?.1)
        var h = try HistogramObserver(options: .init(bins: 256, method: method))
        try h.observe(x)
        for bits in [4, 8] {
            for symmetric in [true, false] {
                let r = try h.ranges(for: .integer(bits: bits, signed: symmetric, symmetric: symmetric))
                Self.check(
                    r, x,
                    exact: x.filter(\.isFinite).count <= 1 || Set(x.filter(\.isFinite)).count == 1 || method == .minmax)
            }
        }
    }

    @Test(arguments: ["all-nan", "nan-laden", "inf-laden"])
    func errorPolicyRejectsNonFiniteBatches(_ name: String) throws {
        let x = try #require(Self.inputs.first { $0.0 == name }?.1)
        var mm = MinMaxObserver(options: .init(nonFinite: .error))
        #expect(throws: ObserverError.self) { try mm.observe(x) }
        #expect(mm.state.counts.total == 0)
        var h = try HistogramObserver(options: .init(granularity: .perChannel(axis: 0), nonFinite: .error))
        #expect(throws: ObserverError.self) { try h.observe(x) }
        var ma = try MovingAverageMinMaxObserver(options: .init(nonFinite: .error))
        #expect(throws: ObserverError.self) { try ma.observe(x) }
        var ok = MinMaxObserver(options: .init(nonFinite: .error))
        try ok.observe([1, 2, 3])
        #expect(try ok.ranges().high == [3])
    }

    @Test func extremeMagnitudesStayExact() throws {
        let x: [Float] = [
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, 0,
        ]
        var h = try HistogramObserver(options: .init(bins: 64))
        try h.observe(x)
        #expect(h.state.histograms[0].total == 5)
        var tiny = try HistogramObserver(options: .init(bins: 64))
        try tiny.observe([.leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0, 3 * .leastNonzeroMagnitude])
        #expect(tiny.state.histograms[0].exponent == ExactHistogram.minimumExponent)
        #expect(tiny.state.histograms[0].counts == [1, 1, 1, 0, 1])
    }
}
