import CMomentKernels
import Foundation
import Observers
import TestSupport
import Testing

@Suite("Input moments accumulator and reproducible sums")
struct InputMomentsAccumulatorTests {
    /// Values of very different magnitudes and both signs (the hard case for order-independent sums).
    static func wildValues(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let exponent = Int(rng.next() % 120) - 60
            return rng.normal() * pow(2, Double(exponent))
        }
    }

    @Test func sumsDependOnlyOnTheValuesNotTheirOrderOrSplit() {
        let values = Self.wildValues(5000, seed: 3)
        var reference = ReproducibleSums(count: 1)
        for v in values { reference.add(v, at: 0) }
        var rng = SplitMix64(seed: 9)
        for parts in [1, 2, 5, 17] {
            let shuffled = values.shuffled(using: &rng)
            var pieces = [ReproducibleSums](repeating: ReproducibleSums(count: 1), count: parts)
            for (i, v) in shuffled.enumerated() { pieces[(i * 7 + i / 3) % parts].add(v, at: 0) }
            pieces.shuffle(using: &rng)
            var merged = pieces[0]
            for p in pieces.dropFirst() { merged.merge(p) }
            #expect(merged == reference)
            #expect(merged.value(at: 0).bitPattern == reference.value(at: 0).bitPattern)
        }
    }

    @Test func aSingleValueAndExactIntegerSumsComeBackExactly() {
        var rng = SplitMix64(seed: 5)
        for v in Self.wildValues(500, seed: 11) + [Double.leastNonzeroMagnitude, -1e300, 3.0e-310] {
            var s = ReproducibleSums(count: 1)
            s.add(v, at: 0)
            #expect(s.value(at: 0) == v)
        }
        // Multiples of 2^-30 whose exact sum is known; float64 accumulation in any order would round.
        var s = ReproducibleSums(count: 1)
        var exact: Int64 = 0
        for _ in 0..<10000 {
            let k = Int64(rng.next() % (1 << 52)) - (1 << 51)
            exact += k
            s.add(Double(k) * 0x1p-30, at: 0)
        }
        #expect(s.value(at: 0) == Double(exact) * 0x1p-30)
        // Cancellation: a remainder within 2^-64 of the largest value survives (float64 sums would lose it)…
        var c = ReproducibleSums(count: 1)
        for v in [0x1p40, 1.5, -0x1p40, 0x1p-30] { c.add(v, at: 0) }
        #expect(c.value(at: 0) == 1.5 + 0x1p-30)
        // …bits below the window (bin of 2^66 and two more: down to 2^0) are dropped toward zero, in any order.
        var d = ReproducibleSums(count: 1)
        for v in [1.5, 1e20, -1e20] { d.add(v, at: 0) }
        #expect(d.value(at: 0) == 1)
    }

    /// A block of `count` vectors of `d` features.
    static func block(_ count: Int, _ d: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(count * d)).map { i in Float(rng.normal() * (i % d == 3 ? 40 : 1) + (i % d == 1 ? 2 : 0)) }
    }

    @Test func momentsMatchAFloat64ReferenceAndTheGramDiagonalIsTheSumOfSquares() throws {
        let d = 13
        var acc = InputMomentsAccumulator(features: d, level: .gram)
        var all: [Float] = []
        for (b, count) in [40, 256, 7].enumerated() {
            let values = Self.block(count, d, seed: UInt64(b))
            all += values
            try values.withUnsafeBufferPointer { try acc.add(block: $0, count: count) }
        }
        let m = acc.finished()
        let n = all.count / d
        #expect(m.rows == n && m.features == d)
        let gram = try #require(m.gram)
        for i in 0..<d {
            let column = (0..<n).map { Double(all[$0 * d + i]) }
            let scale = column.reduce(0) { $0 + $1 * $1 }
            #expect(abs(m.sum[i] - column.reduce(0, +)) <= 1e-12 * scale.squareRoot() * Double(n))
            #expect(abs(m.sumOfAbs[i] - column.reduce(0) { $0 + abs($1) }) <= 1e-12 * Double(n) * scale.squareRoot())
            #expect(abs(m.sumOfSquares[i] - scale) <= 1e-13 * scale)
            #expect(m.maxAbs[i] == (0..<n).map { abs(all[$0 * d + i]) }.max())
            #expect(gram[i * d + i] == m.sumOfSquares[i])
            for j in 0..<d {
                let reference = (0..<n).reduce(0.0) { $0 + Double(all[$1 * d + i]) * Double(all[$1 * d + j]) }
                #expect(abs(gram[i * d + j] - reference) <= 1e-12 * scale)
                #expect(gram[i * d + j] == gram[j * d + i])
            }
        }
    }

    @Test func blocksSplitBetweenAccumulatorsMergeToTheSameStateAndItSurvivesEncoding() throws {
        let d = 9
        let blocks = (0..<6).map { Self.block([3, 256, 100, 1, 64, 200][$0], d, seed: UInt64(40 + $0)) }
        func accumulate(_ indices: [Int]) throws -> InputMomentsAccumulator {
            var acc = InputMomentsAccumulator(features: d, level: .gram)
            for i in indices { try blocks[i].withUnsafeBufferPointer { try acc.add(block: $0, count: $0.count / d) } }
            return acc
        }
        let whole = try accumulate(Array(0..<6))
        var left = try accumulate([5, 1, 3])
        try left.merge(try accumulate([2, 0, 4]))
        #expect(left == whole)
        let decoded = try JSONDecoder().decode(
            InputMomentsAccumulator.self, from: JSONEncoder().encode(whole))
        #expect(decoded == whole)
        #expect(decoded.finished() == whole.finished())
        #expect(whole.withoutGram().finished().gram == nil)
        #expect(whole.withoutGram().finished().sumOfSquares == whole.finished().sumOfSquares)
    }

    @Test func vectorsWithANonFiniteElementAreLeftOut() throws {
        var values = Self.block(10, 4, seed: 1)
        var clean = InputMomentsAccumulator(features: 4, level: .perFeature)
        var kept = values
        kept.removeSubrange(8..<12)
        kept.removeSubrange(20..<24)  // rows 2 and 6 of the original (6 is now row 5)
        try kept.withUnsafeBufferPointer { try clean.add(block: $0, count: 8) }
        values[9] = .nan
        values[26] = -.infinity
        var acc = InputMomentsAccumulator(features: 4, level: .perFeature)
        try values.withUnsafeBufferPointer { try acc.add(block: $0, count: 10) }
        #expect(acc.skippedVectors == 2 && acc.vectors == 8)
        #expect(acc.finished() == clean.finished())
    }

    @Test func mergingOtherFeaturesOrLevelsIsRefused() {
        var a = InputMomentsAccumulator(features: 4, level: .gram)
        #expect(throws: InputMomentsAccumulator.Failure.self) {
            try a.merge(InputMomentsAccumulator(features: 5, level: .gram))
        }
        #expect(throws: InputMomentsAccumulator.Failure.self) {
            try a.merge(InputMomentsAccumulator(features: 4, level: .perFeature))
        }
        #expect(InputMomentsLevel.none < .perFeature && InputMomentsLevel.perFeature < .gram)
    }

    @Test func damagedSavedStatesAreRejected() throws {
        let acc = InputMomentsAccumulator(features: 3, level: .gram)
        let text = try #require(String(data: JSONEncoder().encode(acc), encoding: .utf8))
        for damaged in [
            text.replacingOccurrences(of: "\"features\":3", with: "\"features\":4"),
            text.replacingOccurrences(of: "\"level\":\"gram\"", with: "\"level\":\"per-feature\""),
        ] {
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(InputMomentsAccumulator.self, from: Data(damaged.utf8))
            }
        }
    }

    /// One block's Gram entries are exactly the float64 sums in vector order (a single block partial is
    /// kept exactly), and the kernel's AVX2+FMA and portable paths give the same bits.
    @Test func theGramKernelSumsInVectorOrderOnEveryPath() throws {
        let d = 11
        let n = 97
        let values = Self.block(n, d, seed: 77)
        var acc = InputMomentsAccumulator(features: d, level: .gram)
        try values.withUnsafeBufferPointer { try acc.add(block: $0, count: n) }
        let gram = try #require(acc.finished().gram)
        for i in 0..<d {
            for j in 0..<d {
                var s = 0.0
                for r in 0..<n { s += Double(values[r * d + i]) * Double(values[r * d + j]) }
                #expect(gram[i * d + j].bitPattern == s.bitPattern)
            }
        }
        let panelCount = 3
        var panels = [Double](repeating: 0, count: panelCount * n * 4)
        for p in 0..<panelCount {
            for r in 0..<n {
                for k in 0..<4 where 4 * p + k < d { panels[(p * n + r) * 4 + k] = Double(values[r * d + 4 * p + k]) }
            }
        }
        var portable = [Double](repeating: .nan, count: 6 * 16)
        var vector = [Double](repeating: .nan, count: 6 * 16)
        ptqkit_gram_tiles_on(0, panels, n, panelCount, &portable)
        ptqkit_gram_tiles_on(2, panels, n, panelCount, &vector)
        #expect(portable.map(\.bitPattern) == vector.map(\.bitPattern))
        print("Gram kernel path on this machine: \(ptqkit_gram_path())")
    }
}
