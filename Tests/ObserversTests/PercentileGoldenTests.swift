import Foundation
import Testing

@testable import Observers

/// `Tests/Fixtures/percentile_goldens.json` (made by `Tests/Fixtures/make_percentile_goldens.py`): exact
/// histograms of seeded data and the percentile ranges ONNX Runtime's `HistogramCollector` chooses, on that
/// same grid and on the raw values.
struct PercentileGoldens: Decodable {
    struct Ranges: Decodable {
        let absolute: [Double]
        let each: [Double]
    }

    struct Raw: Decodable {
        let absolute: [Double]
        let each: [Double]
        let absoluteBinWidth: Double
        let eachBinWidth: Double
    }

    struct Numpy: Decodable {
        let absolute: Double
        let each: [Double]
    }

    struct OrderStatistics: Decodable {
        let absolute: [Double]
        let each: [[Double]]
    }

    struct Percentile: Decodable {
        let percentile: Double
        let sameGrid: Ranges
        let raw: Raw
        let numpy: Numpy
        let orderStatistics: OrderStatistics
    }

    struct Record: Decodable {
        let name: String
        let state: ExactHistogram
        let ranges: [Percentile]
    }

    let source: String
    let records: [Record]

    static let shared: PercentileGoldens? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/percentile_goldens.json")
        return try? JSONDecoder().decode(PercentileGoldens.self, from: Data(contentsOf: url))
    }()

    static let names: [String] = shared?.records.map(\.name) ?? []

    static func record(_ name: String) throws -> Record {
        try #require(shared?.records.first { $0.name == name }, "percentile_goldens.json lacks \(name)")
    }
}

/// PTQKit's percentile ranges against ONNX Runtime's percentile calibrator: the percentile of `|x|` for
/// symmetric ranges, each tail for asymmetric ones.
@Suite struct PercentileGoldenTests {
    static let symmetric = RangeTarget.int8Symmetric
    static let asymmetric = RangeTarget.integer(bits: 8, signed: true, symmetric: false)

    func range(_ h: ExactHistogram, _ p: PercentileRange, _ target: RangeTarget) -> [Double] {
        let (lo, hi) = HistogramRangeMethod.percentile(p).range(of: h, target: target)
        return [Double(lo), Double(hi)]
    }

    @Test func fixtureComesFromTheRealLibrary() throws {
        let g = try #require(
            PercentileGoldens.shared, "Tests/Fixtures/percentile_goldens.json is missing or unreadable")
        #expect(g.source.hasPrefix("real library onnxruntime"))
        #expect(Set(g.records.map(\.name)) == ["student_t3", "gaussian", "outlier_channels", "lognormal"])
        #expect(g.records.allSatisfy { $0.ranges.map(\.percentile) == [99.999, 99.99, 99.9] })
    }

    /// On PTQKit's own grid the `lower-edge` convention is ORT's `compute_percentile`, to the bit: `|x|` for
    /// symmetric targets (`tails: scheme`, the default, or `absolute`), each tail for asymmetric ones.
    @Test(arguments: PercentileGoldens.names)
    func lowerEdgeEqualsOnnxRuntimeOnTheSameGrid(_ name: String) throws {
        let g = try PercentileGoldens.record(name)
        for r in g.ranges {
            let p = r.percentile
            let scheme = PercentileRange(percentile: p, convention: .lowerEdge)
            let absolute = PercentileRange(percentile: p, tails: .absolute, convention: .lowerEdge)
            let each = PercentileRange(percentile: p, tails: .each, convention: .lowerEdge)
            #expect(range(g.state, scheme, Self.symmetric) == r.sameGrid.absolute, "\(name) \(p) symmetric")
            #expect(range(g.state, absolute, Self.asymmetric) == r.sameGrid.absolute, "\(name) \(p) absolute")
            #expect(range(g.state, scheme, Self.asymmetric) == r.sameGrid.each, "\(name) \(p) asymmetric")
            #expect(range(g.state, each, Self.symmetric) == r.sameGrid.each, "\(name) \(p) each")
        }
    }

    /// ORT as users run it (2048 bins over `[min |x|, max |x|]`, or over `[−amax, amax]`): PTQKit's `lower-edge`
    /// ranges aim at the same order statistic, read off another grid, so each end is within one bin (the
    /// coarser of the two grids) of ORT's — or, where the tail is so sparse that neighbouring order statistics
    /// are more than a bin apart, both are within one bin of the two order statistics ORT's float cumulative
    /// sum decides between (`orderStatistics`: it falls short of `p/100` on some grids and takes the next).
    @Test(arguments: PercentileGoldens.names)
    func lowerEdgeWithinOneBinOfOnnxRuntimeOnTheRawValues(_ name: String) throws {
        let g = try PercentileGoldens.record(name)
        let w = g.state.binWidth
        func near(_ ours: Double, _ ort: Double, _ pair: [Double], _ tol: Double) -> Bool {
            func distance(_ v: Double) -> Double { max(0, (pair.min() ?? v) - v, v - (pair.max() ?? v)) }
            return abs(ours - ort) <= tol || (distance(ours) <= tol && distance(ort) <= tol)
        }
        for r in g.ranges {
            let p = PercentileRange(percentile: r.percentile, convention: .lowerEdge)
            let o = r.orderStatistics
            let sym = range(g.state, p, Self.symmetric)
            let symTol = max(w, r.raw.absoluteBinWidth)
            let a = o.absolute
            #expect(
                near(sym[1], r.raw.absolute[1], a, symTol)
                    && (sym[0] == Double(g.state.min) || near(-sym[0], -r.raw.absolute[0], a, symTol)),
                "\(name) \(r.percentile) symmetric: \(sym) vs ORT \(r.raw.absolute), bin \(symTol), order statistics \(a)"
            )
            let asym = range(g.state, p, Self.asymmetric)
            let asymTol = max(w, r.raw.eachBinWidth)
            #expect(
                near(asym[0], r.raw.each[0], o.each[0], asymTol) && near(asym[1], r.raw.each[1], o.each[1], asymTol),
                "\(name) \(r.percentile) asymmetric: \(asym) vs ORT \(r.raw.each), bin \(asymTol), \(o.each)")
        }
    }

    /// The interpolated conventions are numpy's percentiles within one of PTQKit's bins: `|x|` at `p` for
    /// symmetric targets, `[P(100 − p), P(p)]` for asymmetric ones.
    @Test(arguments: PercentileGoldens.names)
    func interpolatedWithinOneBinOfNumpy(_ name: String) throws {
        let g = try PercentileGoldens.record(name)
        let w = g.state.binWidth
        for r in g.ranges {
            let p = PercentileRange(percentile: r.percentile)
            let sym = range(g.state, p, Self.symmetric)
            let a = r.numpy.absolute
            let expected = [max(-a, Double(g.state.min)), min(a, Double(g.state.max))]
            #expect(zip(sym, expected).allSatisfy { abs($0 - $1) <= w }, "\(name) \(r.percentile): \(sym) vs \(a)")
            let asym = range(g.state, p, Self.asymmetric)
            #expect(
                zip(asym, r.numpy.each).allSatisfy { abs($0 - $1) <= w },
                "\(name) \(r.percentile): \(asym) vs \(r.numpy.each)")
        }
    }
}
