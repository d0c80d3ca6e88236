import Foundation
import JSON
import QuantCore
import Testing

@testable import Observers

/// The core protocol and its refinements: exactness is declared, persistence is optional, and the
/// histogram family's options keep their configuration keys and their saved form.
@Suite struct ObserverProtocolTests {
    /// The core protocol alone (kind, observe, merge, ranges): calibrates, cannot be saved.
    struct CountObserver: Observer {
        static let kind = "test-count"
        var count = 0
        mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws { count += batch.count }
        mutating func merge(_ other: CountObserver) throws { count += other.count }
        func ranges(for target: RangeTarget) throws -> ObservedRanges {
            ObservedRanges(layout: nil, low: [0], high: [Float(count)], counts: NonFiniteCounts())
        }
    }

    @Test func exactnessIsDeclaredByTheRefinement() {
        #expect(MinMaxObserver.mergeIsExact)
        #expect(HistogramObserver.mergeIsExact)
        #expect(!MovingAverageMinMaxObserver.mergeIsExact)
        #expect(!MeanStdObserver.mergeIsExact)
        #expect(!CountObserver.mergeIsExact)
        #expect(AnyObserver(MinMaxObserver()).mergeIsExact && !AnyObserver(CountObserver()).mergeIsExact)
    }

    @Test func aCoreOnlyObserverRegistersAndRunsButIsNotSaved() throws {
        var registry = ObserverRegistry()
        try registry.register(name: "count", summary: "elements seen", defaults: [String: Int]()) { _ in
            CountObserver()
        }
        var o = try registry.makeObserver("count")
        try o.observe([1, 2, 3], shape: [3])
        var other = try registry.makeObserver("count")
        try other.observe([4], shape: [1])
        try o.merge(other)
        #expect(try o.ranges(for: .int8Symmetric).high == [4])
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(o) }
        #expect(throws: ObserverError.self) { try AnyObserver(MinMaxObserver()).withOptions(of: o) }
    }

    /// Each histogram entry accepts exactly the keys of its range method and of the statistic.
    @Test(arguments: [
        ("histogram", [String]()), ("mse", []), ("percentile", ["convention", "percentile", "tails"]),
        ("entropy", ["algorithm", "startBin"]),
    ])
    func histogramEntriesTakeTheirMethodsOptionsFlat(name: String, methodKeys: [String]) throws {
        let entry = try #require(ObserverRegistry.builtIn.entry(name))
        #expect(entry.optionNames == (methodKeys + ["bins", "granularity", "nonFinite"]).sorted())
        #expect(entry.kind == HistogramObserver.kind)
    }

    /// The registry's defaults are the method types' and `HistogramObserver.Options`' own.
    @Test func histogramEntryDefaultsAreTheTypesDefaults() throws {
        let expected: [(String, HistogramRangeMethod)] = [
            ("histogram", .minmax), ("percentile", .percentile(PercentileRange())), ("mse", .mse),
            ("entropy", .entropy(EntropyRange())),
        ]
        for (name, method) in expected {
            let h = try #require(try ObserverRegistry.builtIn.makeObserver(name).unwrap(as: HistogramObserver.self))
            #expect(h.options == HistogramObserver.Options(method: method), "\(name)")
        }
        let e = try ObserverRegistry.builtIn.makeObserver(
            "entropy", options: JSONValue.object(["algorithm": .string("onnxruntime"), "bins": .int(256)]))
        #expect(
            e.unwrap(as: HistogramObserver.self)?.options
                == HistogramObserver.Options(bins: 256, method: .entropy(EntropyRange(algorithm: .onnxRuntime))))
    }

    /// The saved form of the histogram observer's options (part of `.ptqstats` files) is unchanged.
    @Test(arguments: [
        (HistogramRangeMethod.minmax, #""method":{"minmax":{}}"#),
        (
            .percentile(PercentileRange(percentile: 99.9, tails: .absolute, convention: .lowerEdge)),
            #""method":{"percentile":{"_0":{"convention":"lower-edge","percentile":99.9,"tails":"absolute"}}}"#
        ),
        (.mse, #""method":{"mse":{}}"#),
        (
            .entropy(EntropyRange(algorithm: .onnxRuntime, startBin: 64)),
            #""method":{"entropy":{"_0":{"algorithm":"onnxruntime","startBin":64}}}"#
        ),
    ])
    func snapshotOptionsKeepTheirForm(method: HistogramRangeMethod, json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let options = HistogramObserver.Options(bins: 512, method: method)
        let text = String(decoding: try encoder.encode(options), as: UTF8.self)
        #expect(text == #"{"bins":512,"granularity":{"perTensor":{}},"# + json + #","nonFinite":"skip"}"#)
        #expect(try JSONDecoder().decode(HistogramObserver.Options.self, from: Data(text.utf8)) == options)
    }

    /// Options saved before `tails` existed (`mode: two-sided | absolute`) still restore, as `each | absolute`;
    /// a mode that never existed is an error.
    @Test(arguments: [("two-sided", PercentileRange.Tails.each), ("absolute", .absolute)])
    func legacyPercentileModeRestores(mode: String, tails: PercentileRange.Tails) throws {
        let json = #"{"percentile":{"_0":{"convention":"interpolated","mode":"\#(mode)","percentile":99.9}}}"#
        let method = try JSONDecoder().decode(HistogramRangeMethod.self, from: Data(json.utf8))
        #expect(method == .percentile(PercentileRange(percentile: 99.9, tails: tails)))
        let bad = #"{"percentile":{"_0":{"convention":"interpolated","mode":"sideways","percentile":99.9}}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(HistogramRangeMethod.self, from: Data(bad.utf8))
        }
    }

    /// `tails: scheme` (the default) takes `|x|` for a symmetric target and each tail for an asymmetric one.
    @Test func percentileTailsFollowTheScheme() throws {
        let p = PercentileRange()
        #expect(p.tails == .scheme)
        #expect(p.isAbsolute(for: .int8Symmetric))
        #expect(!p.isAbsolute(for: .integer(bits: 8, signed: false, symmetric: false)))
        #expect(PercentileRange(tails: .absolute).isAbsolute(for: .integer(bits: 8, signed: true, symmetric: false)))
        #expect(!PercentileRange(tails: .each).isAbsolute(for: .int8Symmetric))
        // Heavy right tail: |x| percentile is the wider symmetric range.
        var h = ExactHistogram(budget: 256)
        let x: [Float] = (0..<1000).map { Float($0) / 1000 } + [-0.5, 50]
        x.withUnsafeBufferPointer { h.add($0) }
        let (lo, hi) = HistogramRangeMethod.percentile(p).range(of: h, target: .int8Symmetric)
        #expect(lo == -0.5 && hi > 10)
        let asymmetric = RangeTarget.integer(bits: 8, signed: true, symmetric: false)
        let (elo, ehi) = PercentileRange(percentile: 99.8).range(of: h, target: asymmetric)
        #expect(elo > -0.5 && ehi < 2)
    }
}
