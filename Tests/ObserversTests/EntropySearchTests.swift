import Foundation
import TestSupport
import Testing

@testable import Observers

/// The screened TensorRT entropy search returns exactly the direct search's threshold.
@Suite struct EntropySearchTests {
    /// Histograms of many shapes: smooth, heavy-tailed, sparse (many empty bins), spiky, flat, tiny.
    static func histogram(kind: Int, bins: Int, seed: UInt64) -> [UInt64] {
        var rng = SplitMix64(seed: seed)
        return (0..<bins).map { j -> UInt64 in
            let x = Double(j) / Double(bins)
            switch kind {
            case 0: return UInt64(1e6 * exp(-x * x * 18)) + UInt64.random(in: 0...3, using: &rng)
            case 1: return UInt64(1e5 / (1 + 400 * x * x))
            case 2: return UInt64.random(in: 0...9, using: &rng) < 7 ? 0 : UInt64.random(in: 1...1000, using: &rng)
            case 3: return j % 37 == 0 ? 50_000 : UInt64.random(in: 0...2, using: &rng)
            case 4: return 10
            default: return j == bins - 1 || j < 3 ? 1 : 0
            }
        }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5], [8, 16, 128, 256])
    func screenedSearchEqualsDirectSearch(kind: Int, levels: Int) {
        for (bins, start) in [(2, 128), (3, 1), (64, 2), (300, 128), (700, 128)] {
            let h = Self.histogram(kind: kind, bins: bins, seed: UInt64(kind * 1000 + bins))
            let fast = EntropySearch.tensorRT(absHistogram: h, binWidth: 0.25, levels: levels, startBin: start)
            let direct = EntropySearch.tensorRTExhaustive(
                absHistogram: h, binWidth: 0.25, levels: levels, startBin: start)
            #expect(fast == direct, "kind \(kind), \(bins) bins, levels \(levels), start \(start)")
        }
    }

    @Test(arguments: Goldens.names, [8, 128])
    func screenedSearchEqualsDirectSearchOnGoldens(_ name: String, levels: Int) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var h = ExactHistogram()
        // The buffer is valid only inside the closure (f.data is a temporary array: escaping its pointer
        // was a heap-use-after-free that AddressSanitizer caught).
        f.data.withUnsafeBufferPointer { h.add($0) }
        let (abs, w) = h.folded()
        #expect(
            EntropySearch.tensorRT(absHistogram: abs, binWidth: w, levels: levels)
                == EntropySearch.tensorRTExhaustive(absHistogram: abs, binWidth: w, levels: levels))
    }

    @Test func emptyAndAllZeroHistogramsMatchTheDirectSearch() {
        for h: [UInt64] in [[], [5], [0, 0, 0, 0], [0, 0, 0, 7]] {
            #expect(
                EntropySearch.tensorRT(absHistogram: h, binWidth: 1, levels: 4, startBin: 2)
                    == EntropySearch.tensorRTExhaustive(absHistogram: h, binWidth: 1, levels: 4, startBin: 2))
        }
    }
}
