import Foundation
import JSON
import QuantCore
import Testing

@testable import Observers

/// A user-defined observer, as a user's package would write it: mean ± k·σ, persistent (saved and
/// restored through the registry), its merge not declared exact.
struct MeanStdObserver: PersistentObserver {
    struct Options: Codable, Sendable, Equatable {
        var k: Float = 3
    }
    struct State: Codable, Sendable, Equatable {
        var n: Double = 0
        var sum: Double = 0
        var sumSquares: Double = 0
    }
    static let kind = "test-mean-std"
    let options: Options
    private(set) var state = State()
    init(options: Options) { self.options = options }
    init(options: Options, state: State) {
        self.options = options
        self.state = state
    }
    mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        for x in batch where x.isFinite {
            state.n += 1
            state.sum += Double(x)
            state.sumSquares += Double(x) * Double(x)
        }
    }
    mutating func merge(_ other: MeanStdObserver) throws {
        state.n += other.state.n
        state.sum += other.state.sum
        state.sumSquares += other.state.sumSquares
    }
    func ranges(for target: RangeTarget) throws -> ObservedRanges {
        let mean = state.n > 0 ? state.sum / state.n : 0
        let sd = state.n > 0 ? max(state.sumSquares / state.n - mean * mean, 0).squareRoot() : 0
        let k = Double(options.k)
        return ObservedRanges(layout: nil, low: [Float(mean - k * sd)], high: [Float(mean + k * sd)], counts: .init())
    }
}

@Suite struct ObserverRegistryTests {
    @Test func builtInNames() {
        #expect(
            ObserverRegistry.builtIn.names == [
                "entropy", "histogram", "minmax", "moving-average-minmax", "mse", "percentile",
            ])
    }

    @Test func typedOptionsFromAConfigObject() throws {
        var p = try ObserverRegistry.builtIn.makeObserver(
            "percentile",
            options: JSONValue.object(["percentile": .double(99.9), "tails": .string("absolute"), "bins": .int(512)]))
        let h = try #require(p.unwrap(as: HistogramObserver.self))
        #expect(h.options.bins == 512)
        #expect(
            h.options.method == HistogramRangeMethod.percentile(PercentileRange(percentile: 99.9, tails: .absolute)))
        try p.observe([1, -2, 3], shape: [3])
        let pc = try ObserverRegistry.builtIn.makeObserver(
            "minmax", options: JSONValue.object(["granularity": .object(["perChannel": .object(["axis": .int(1)])])]))
        #expect(pc.unwrap(as: MinMaxObserver.self)?.options.granularity == .perChannel(axis: 1))
    }

    @Test func badNamesAndOptionsAreNamedInTheError() throws {
        #expect(
            throws: ObserverError.invalidOption(
                kind: "nope", option: "observer",
                reason: "unknown observer; known: entropy, histogram, minmax, moving-average-minmax, mse, percentile")
        ) {
            try ObserverRegistry.builtIn.makeObserver("nope")
        }
        do {
            _ = try ObserverRegistry.builtIn.makeObserver("mse", options: JSONValue.object(["binz": .int(3)]))
            Issue.record("unknown key accepted")
        } catch let ObserverError.invalidOption(kind, option, _) {
            #expect(kind == "mse" && option == "binz")
        }
        do {
            _ = try ObserverRegistry.builtIn.makeObserver(
                "percentile", options: JSONValue.object(["percentile": .string("high")]))
            Issue.record("wrong type accepted")
        } catch let ObserverError.invalidOption(_, option, _) {
            #expect(option == "percentile")
        }
        #expect(throws: ObserverError.self) {
            try ObserverRegistry.builtIn.makeObserver("percentile", options: JSONValue.object(["percentile": .int(0)]))
        }
        #expect(throws: ObserverError.self) {
            try ObserverRegistry.builtIn.makeObserver(
                "moving-average-minmax", options: JSONValue.object(["averagingConstant": .int(2)]))
        }
    }

    @Test func userObserverRegistersBuildsAndRestores() throws {
        var registry = ObserverRegistry.builtIn
        try registry.register(name: "mean-std", summary: "mean ± k·σ", defaults: MeanStdObserver.Options()) {
            MeanStdObserver(options: $0)
        }
        #expect(throws: ObserverError.self) {
            try registry.register(name: "mean-std", summary: "", defaults: MeanStdObserver.Options()) {
                MeanStdObserver(options: $0)
            }
        }
        var o = try registry.makeObserver("mean-std", options: ["k": 2.0])
        try o.observe([1, 2, 3, 4], shape: [4])
        let r = try o.ranges(for: .int8Symmetric)
        #expect(abs(r.high[0] - Float(2.5 + 2 * 1.25.squareRoot())) < 1e-6)
        // Saved as a heterogeneous list, restored through the registry.
        var mm = try registry.makeObserver("minmax")
        try mm.observe([5, -1], shape: [2])
        let data = try JSONEncoder().encode([o, mm])
        let decoder = JSONDecoder()
        decoder.userInfo[.observerRegistry] = registry
        let back = try decoder.decode([AnyObserver].self, from: data)
        #expect(back.map(\.kind) == ["test-mean-std", "minmax"])
        #expect(back[0].unwrap(as: MeanStdObserver.self)?.state == o.unwrap(as: MeanStdObserver.self)?.state)
        #expect(try back[1].ranges(for: .int8Symmetric) == mm.ranges(for: .int8Symmetric))
        // Without the user's registry the kind is unknown.
        #expect(throws: (any Error).self) { try JSONDecoder().decode([AnyObserver].self, from: data) }
    }

    @Test func anyObserverMergeChecksTheType() throws {
        var a = AnyObserver(MinMaxObserver())
        try a.observe([1, 2], shape: [2])
        var b = AnyObserver(MinMaxObserver())
        try b.observe([-3], shape: [1])
        try a.merge(b)
        #expect(try a.ranges(for: .int8Symmetric).low == [-3])
        #expect(throws: ObserverError.self) { try a.merge(AnyObserver(try HistogramObserver())) }
    }
}
