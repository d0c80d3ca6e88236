import Foundation
import QuantCore
import TestSupport
import Testing

@testable import Observers

/// Merging observers of any split of the data, in any order, equals observing it whole.
@Suite struct MergePropertyTests {
    /// Observes `data` (shape `[rows, cols]`) split into random row batches, each in its own
    /// observer, and merges them in a random order.
    static func shardedObserve<O: Observer>(
        _ make: () throws -> O, data: [Float], cols: Int,
        rng: inout SplitMix64
    ) throws -> O {
        let rows = data.count / cols
        var cuts = Set([0, rows])
        for _ in 0..<Int.random(in: 0...6, using: &rng) { cuts.insert(Int.random(in: 0...rows, using: &rng)) }
        let bounds = cuts.sorted()
        var parts: [O] = []
        for (a, b) in zip(bounds, bounds.dropFirst()) {
            var o = try make()
            // Some shards see their rows as several batches.
            var r = a
            while r < b {
                let e = min(b, r + Int.random(in: 1...max(1, b - a), using: &rng))
                try o.observe(Array(data[(r * cols)..<(e * cols)]), shape: [e - r, cols])
                r = e
            }
            parts.append(o)
        }
        parts.shuffle(using: &rng)
        var merged = try make()
        for p in parts { try merged.merge(p) }
        return merged
    }

    static func wholeObserve<O: Observer>(_ make: () throws -> O, data: [Float], cols: Int) throws -> O {
        var o = try make()
        try o.observe(data, shape: [data.count / cols, cols])
        return o
    }

    /// Canonical JSON (sorted keys).
    static func json(_ value: some Encodable) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return try e.encode(value)
    }

    static let reductions: [Granularity] = [.perTensor, .perChannel(axis: 1)]

    @Test(arguments: 0..<12, reductions)
    func minMaxMergeIsExact(seed: Int, reduction: Granularity) throws {
        var rng = SplitMix64(seed: UInt64(seed) &+ 1)
        let cols = Int.random(in: 1...9, using: &rng)
        let rows = Int.random(in: 1...300, using: &rng)
        var data = rng.tensor(count: rows * cols, kind: seed)
        if seed % 3 == 0 {
            for _ in 0..<5 {
                data[Int.random(in: 0..<data.count, using: &rng)] = [Float.nan, .infinity, -.infinity][seed % 3]
            }
        }
        let make = { MinMaxObserver(options: .init(granularity: reduction)) }
        let whole = try Self.wholeObserve(make, data: data, cols: cols)
        let merged = try Self.shardedObserve(make, data: data, cols: cols, rng: &rng)
        #expect(merged.state == whole.state)
        #expect(try Self.json(merged.snapshot) == Self.json(whole.snapshot))
    }

    @Test(arguments: 0..<12, reductions)
    func histogramMergeIsExact(seed: Int, reduction: Granularity) throws {
        var rng = SplitMix64(seed: UInt64(seed) &+ 101)
        let cols = Int.random(in: 1...5, using: &rng)
        let rows = Int.random(in: 1...400, using: &rng)
        var data = rng.tensor(count: rows * cols, kind: seed)
        if seed % 4 == 1 { for _ in 0..<7 { data[Int.random(in: 0..<data.count, using: &rng)] = .nan } }
        let bins = [16, 64, 2048][seed % 3]
        let make = { try HistogramObserver(options: .init(granularity: reduction, bins: bins)) }
        let whole = try Self.wholeObserve(make, data: data, cols: cols)
        let merged = try Self.shardedObserve(make, data: data, cols: cols, rng: &rng)
        #expect(merged.state == whole.state)
        #expect(try Self.json(merged.snapshot) == Self.json(whole.snapshot))
        // The counts are those of direct binning on the final grid.
        for (slot, h) in whole.state.histograms.enumerated() where !h.isEmpty {
            var direct = [UInt64](repeating: 0, count: h.counts.count)
            for (i, x) in data.enumerated() where x.isFinite && (reduction == .perTensor || i % cols == slot) {
                direct[Int(ExactHistogram.binIndex(x, exponent: h.exponent) - h.firstBin)] += 1
            }
            #expect(h.counts == direct)
            #expect(h.counts.count <= bins)
        }
    }

    @Test(arguments: 0..<6)
    func savedStateRestoresEqual(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &+ 7)
        let data = rng.tensor(count: 999, kind: seed)
        var mm = MinMaxObserver(options: .init(granularity: .perChannel(axis: 1)))
        try mm.observe(data, shape: [333, 3])
        var ma = try MovingAverageMinMaxObserver(options: .init(averagingConstant: 0.25))
        try ma.observe(data, shape: [333, 3])
        try ma.observe(Array(data.reversed()), shape: [333, 3])
        var hist = try HistogramObserver(options: .init(bins: 512, method: .percentile(.init(percentile: 99.9))))
        try hist.observe(data, shape: [333, 3])
        try expectRoundTrip(mm)
        try expectRoundTrip(ma)
        try expectRoundTrip(hist)
        try expectRoundTrip(MinMaxObserver())
        try expectRoundTrip(try HistogramObserver())
    }

    func expectRoundTrip<O: PersistentObserver>(_ o: O) throws {
        let json = try JSONEncoder().encode(o.snapshot)
        let back = try O(snapshot: JSONDecoder().decode(ObserverSnapshot<O>.self, from: json))
        #expect(back.state == o.state)
        #expect(back.options == o.options)
        #expect(try back.ranges() == o.ranges())
    }

    @Test func tamperedHistogramStateIsRejected() throws {
        var h = try HistogramObserver(options: .init(bins: 64))
        try h.observe([1, 2, 3, 4.5])
        var json = try #require(String(data: JSONEncoder().encode(h.snapshot), encoding: .utf8))
        // e.g. -5 → 1-5: not a number; or a wrong grid
        json = json.replacingOccurrences(of: "\"exponent\":", with: "\"exponent\":1")
        #expect(throws: (any Error).self) {
            try HistogramObserver(
                snapshot: JSONDecoder().decode(ObserverSnapshot<HistogramObserver>.self, from: Data(json.utf8)))
        }
        var wrongVersion = h.snapshot
        wrongVersion.version = 99
        #expect(throws: ObserverError.self) { try HistogramObserver(snapshot: wrongVersion) }
    }
}
