import CMomentKernels
import TestSupport
import Testing

@testable import Observers

/// The exact histogram's binning (``ExactHistogram/add(_:)``, the C kernel `ptqkit_histogram_add` on each of
/// its code paths) against counts taken independently in Double: `⌊x / 2^e⌋ − firstBin` for every value.
@Suite struct ExactHistogramTests {
    /// Data shapes seen in activations: spread out, half zeros, nearly all mass in two bins, constant.
    enum Shape: String, CaseIterable, Sendable {
        case gaussian, relu, spikes, constant
    }

    /// Element counts around the kernel's 16-value runs and its 2^17-value flushes.
    static let sizes = [1, 15, 16, 17, 1000, (1 << 17) + 5, 300_001]

    static func values(_ shape: Shape, count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            switch shape {
            case .gaussian: return rng.normalFloat() * 3
            case .relu: return Swift.max(0, rng.normalFloat())
            case .spikes: return i % 4093 == 0 ? 250 : (rng.uniform() < 0.5 ? 0 : 0.001)
            case .constant: return -1.25
            }
        }
    }

    /// The counts every value's bin gives on the grid `(exponent, firstBin, binCount)`, in Double.
    static func reference(_ values: [Float], exponent: Int, firstBin: Int64, binCount: Int) -> [UInt64] {
        var counts = [UInt64](repeating: 0, count: binCount)
        let width = Double(sign: .plus, exponent: exponent, significand: 1)
        for x in values {
            let bin = Int64((Double(x) / width).rounded(.down)) - firstBin
            counts[Int(bin)] += 1
        }
        return counts
    }

    @Test(arguments: Shape.allCases, sizes)
    func addCountsEveryValueInItsBin(shape: Shape, count: Int) {
        let data = Self.values(shape, count: count, seed: UInt64(count))
        for budget in [256, 4096] {
            var histogram = ExactHistogram(budget: budget)
            data.withUnsafeBufferPointer { histogram.add($0) }
            #expect(histogram.total == UInt64(count))
            #expect(
                histogram.counts
                    == Self.reference(
                        data, exponent: histogram.exponent, firstBin: histogram.firstBin,
                        binCount: histogram.counts.count))
        }
    }

    /// The portable C path and the AVX2 path (where the CPU has it) count the same, on top of counts already
    /// there, and equal the Double reference.
    @Test(arguments: Shape.allCases, sizes)
    func everyCodePathCountsTheSame(shape: Shape, count: Int) {
        let data = Self.values(shape, count: count, seed: 7 &+ UInt64(count))
        var grid = ExactHistogram()
        data.withUnsafeBufferPointer { grid.add($0) }
        let expected = Self.reference(
            data, exponent: grid.exponent, firstBin: grid.firstBin, binCount: grid.counts.count
        ).map { $0 + 3 }
        let inverseWidth = Float(sign: .plus, exponent: -grid.exponent, significand: 1)
        for path: Int32 in [0, 1] {
            var counts = [UInt64](repeating: 3, count: grid.counts.count)
            data.withUnsafeBufferPointer { x in
                counts.withUnsafeMutableBufferPointer { c in
                    ptqkit_histogram_add_on(
                        path, x.baseAddress, x.count, inverseWidth, Float(grid.firstBin), c.baseAddress, c.count)
                }
            }
            #expect(counts == expected, "path \(path)")
        }
    }

    /// Batches added in one pass when they fit the grid (``ExactHistogram/addFittingGrid(_:)``, on each code
    /// path) leave the same histogram, bit for bit, as scanning each batch first: ranges that grow within
    /// the grid and beyond it, zeros becoming the minimum or maximum, NaN and ±Inf, tails of n mod 16.
    @Test(arguments: Shape.allCases, [Int32(0), 1])
    func addingWhatFitsTheGridEqualsScanningFirst(shape: Shape, path: Int32) {
        var rng = SplitMix64(seed: 99)
        var batches: [[Float]] = [[0.5, 0.25], [-0.0, 0.75], [0.0, -0.125]]
        for k in 0..<40 {
            var b = Self.values(shape, count: 1 + Int(rng.next() % 5000), seed: UInt64(k))
            if k % 9 == 4 { b[b.count / 2] = .nan }
            if k % 13 == 7 { b[0] = -.infinity }
            if k % 5 == 2 { b = b.map { $0 * Float(1 + k / 10) } }
            batches.append(b)
        }
        var scanned = ExactHistogram()
        var fused = ExactHistogram()
        var taken = 0
        for batch in batches {
            batch.withUnsafeBufferPointer { b in
                scanned.add(b)
                if let scan = fused.addFittingGrid(b, path: path) {
                    taken += 1
                    let reference = RangeScan.scan(b)
                    #expect(scan.counts == reference.counts)
                    #expect(scan.min == reference.min && scan.max == reference.max)
                } else {
                    fused.add(b)
                }
            }
            #expect(fused == scanned)
            #expect(fused.min.bitPattern == scanned.min.bitPattern && fused.max.bitPattern == scanned.max.bitPattern)
        }
        #expect(taken > batches.count / 3, "\(taken) of \(batches.count) batches fitted the grid")
    }

    /// The two batches that land inside the grid and still cannot be added in one pass: a zero becoming the
    /// minimum (its sign is the scan's to decide) and `−2^m` becoming the minimum of narrow data, which
    /// moves `⌊log2 amax⌋` and with it the grid's exponent.
    @Test(arguments: [
        ([Float(0.0001), 0.5], [Float(-0.0), 0.3]),
        ([-2 + Float(sign: .plus, exponent: -22, significand: 1), -1.999], [-2]),
    ])
    func batchesThatChangeTheGridOrAZeroExtremeAreScanned(first: [Float], second: [Float]) {
        for path: Int32 in [0, 1] {
            var scanned = ExactHistogram()
            var fused = ExactHistogram()
            first.withUnsafeBufferPointer {
                scanned.add($0)
                fused.add($0)
            }
            second.withUnsafeBufferPointer { b in
                scanned.add(b)
                #expect(fused.addFittingGrid(b, path: path) == nil)
                fused.add(b)
            }
            #expect(fused == scanned)
            #expect(fused.min.bitPattern == scanned.min.bitPattern)
        }
    }

    /// More equal values than a `UInt16` sub-histogram counter holds, in one call: the flushes keep the count.
    @Test func manyEqualValuesDoNotOverflowTheSubHistograms() {
        let data = [Float](repeating: 0.5, count: 600_000) + [-0.5]
        var histogram = ExactHistogram()
        data.withUnsafeBufferPointer { histogram.add($0) }
        #expect(histogram.counts.max() == 600_000)
        #expect(histogram.total == 600_001)
    }
}
