import CMomentKernels
import Foundation
import QuantCore
import Testing

@testable import Observers

/// The `mse` search scored on the data in Float32 SIMD (``DataMSESearch``, weights per channel along axis 0
/// and per group) against exact references in Double: its score, the range it chooses, and its
/// independence of how the rows are split.
@Suite struct MSEDataSearchTests {
    /// Weight-like rows: Gaussian (Box–Muller on a fixed LCG), every 7th row with a few outliers, one
    /// constant row, one row with NaN and ±Inf, one all-zero row (those three when there are more than 4 rows).
    static func rows(_ count: Int, width: Int) -> [Float] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        var values = [Float](repeating: 0, count: count * width)
        for row in 0..<count {
            for column in 0..<width {
                let gauss = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
                values[row * width + column] = Float(gauss * 0.02 * Double(row % 5 + 1))
            }
            if row % 7 == 3 { values[row * width + row % width] = 0.9 }
        }
        guard count > 4 else { return values }
        for column in 0..<width {
            values[1 * width + column] = 0.25
            values[2 * width + column] = 0
        }
        values[4 * width] = .nan
        values[4 * width + 1] = .infinity
        values[4 * width + 2] = -.infinity
        return values
    }

    static let targets: [RangeTarget] = [
        .integer(bits: 8, signed: true, symmetric: true, narrow: true),
        .integer(bits: 8, signed: true, symmetric: false),
        .integer(bits: 4, signed: true, symmetric: true),
        .integer(bits: 4, signed: false, symmetric: false),
    ]

    /// Exact mean of `(x − x̂)²` over the finite elements, in Double with the grid's own formula.
    static func exactMSE(_ values: [Float], lo: Double, hi: Double, target: RangeTarget) -> Double {
        guard let g = QuantizationGrid(lo: lo, hi: hi, target: target) else { return .infinity }
        let finite = values.filter(\.isFinite)
        return finite.reduce(0.0) { $0 + pow2(Double($1) - g.fakeQuantize(Double($1))) } / Double(finite.count)
    }

    @Test(arguments: targets)
    func simdScoreMatchesTheDoubleScore(_ target: RangeTarget) throws {
        let values = Self.rows(1, width: 1031).filter(\.isFinite)
        let amax = Double(values.map(abs).max() ?? 0)
        for t in [0.125, 0.3, 0.61, 1.0] {
            let (lo, hi) = target.symmetric ? (-t * amax, t * amax) : (Double(values.min() ?? 0) * t, t * amax)
            let g = try #require(QuantizationGrid(lo: lo, hi: hi, target: target))
            let simd = values.withUnsafeBufferPointer { DataMSESearch.squaredError($0, grid: g) } / Double(values.count)
            let exact = Self.exactMSE(values, lo: lo, hi: hi, target: target)
            #expect(abs(simd - exact) <= 1e-5 * exact, "t \(t): SIMD \(simd) vs Double \(exact)")
        }
    }

    /// The C kernel's portable, AVX and AVX-512 paths give the same bits (lane sums flushed every 4096
    /// elements, a tail of n mod 16); a path the CPU lacks takes the portable one.
    @Test(arguments: targets)
    func kernelPathsGiveTheSameBits(_ target: RangeTarget) throws {
        let values = Self.rows(9, width: 1031).filter(\.isFinite)
        let amax = Double(values.map(abs).max() ?? 0)
        for t in [0.125, 0.4, 1.0] {
            let g = try #require(QuantizationGrid(lo: -t * amax, hi: t * amax, target: target))
            let (inverse, scale) = (Float(1 / g.scale), Float(g.scale))
            let sums = [0, 1, 2].map { path in
                values.withUnsafeBufferPointer {
                    ptqkit_clip_squared_error_on(
                        Int32(path), $0.baseAddress, $0.count, inverse, scale, Float(g.zeroPoint), Float(g.qmin),
                        Float(g.qmax))
                }
            }
            #expect(sums[0].bitPattern == sums[1].bitPattern, "t \(t): portable \(sums[0]) vs AVX \(sums[1])")
            #expect(sums[0].bitPattern == sums[2].bitPattern, "t \(t): portable \(sums[0]) vs AVX-512 \(sums[2])")
            #expect(sums[0] > 0)
        }
    }

    /// Rounding ties (to even), small negatives that round to a zero, signed zeros and clamped values give
    /// the same bits on every path (the AVX-512 path rounds with roundscale, the others with 1.5·2^23).
    @Test(arguments: [Float(0), 3, -2])
    func kernelPathsAgreeOnTiesZerosAndClamps(zero: Float) {
        let pattern: [Float] = [
            -0.3, 0.3, 0, -0.0, 2.5, -2.5, 3.5, -3.5, 0.5, -0.5, 1e6, -1e6, 126.5, -127.5, 7, -0.49,
        ]
        var values: [Float] = []
        for k in 0..<(4096 / pattern.count + 3) { values += pattern.map { $0 * Float(1 + k % 3) } }
        values += [-0.5, 1.5]
        let sums = [0, 1, 2].map { path in
            values.withUnsafeBufferPointer {
                ptqkit_clip_squared_error_on(Int32(path), $0.baseAddress, $0.count, 1, 1, zero, -128, 127)
            }
        }
        #expect(sums[0].bitPattern == sums[1].bitPattern)
        #expect(sums[0].bitPattern == sums[2].bitPattern)
        #expect(sums[0] > 0)
    }

    /// The chosen range's exact MSE is within 0.1 % of the Double search's (`ClippingSearch.mse(data:)`),
    /// within 1 % of the best of 1000 evenly spaced clips (symmetric) and never worse than min-max.
    @Test(arguments: targets)
    func chosenRangeIsNearTheExactBest(_ target: RangeTarget) throws {
        let width = 1024
        let all = Self.rows(24, width: width)
        for row in 0..<24 {
            let values = Array(all[(row * width)..<((row + 1) * width)]).filter(\.isFinite)
            let (mn, mx) = (values.min() ?? 0, values.max() ?? 0)
            let (lo, hi) = values.withUnsafeBufferPointer {
                DataMSESearch.range(finite: $0, min: mn, max: mx, target: target)
            }
            let ours = Self.exactMSE(values, lo: Double(lo), hi: Double(hi), target: target)
            let full = Self.exactMSE(values, lo: Double(mn), hi: Double(mx), target: target)
            if mn == mx {
                #expect(lo == mn && hi == mx)
                continue
            }
            let exact = values.withUnsafeBufferPointer { ClippingSearch.mse(data: $0, target: target) }
            let reference = Self.exactMSE(values, lo: exact.low, hi: exact.high, target: target)
            #expect(ours <= reference * 1.001 + 1e-30, "row \(row): \(ours) vs Double search \(reference)")
            #expect(ours <= full * (1 + 1e-6), "row \(row): \(ours) vs min-max \(full)")
            guard target.symmetric else { continue }
            let amax = Double(max(-mn, mx))
            let brute =
                (1...1000).map { k in
                    let t = Double(k) / 1000
                    return Self.exactMSE(
                        values, lo: max(Double(mn), -t * amax), hi: min(Double(mx), t * amax), target: target)
                }.min() ?? .infinity
            #expect(ours <= brute * 1.01, "row \(row): \(ours) vs brute force \(brute)")
        }
    }

    /// Per channel along axis 0 and per group: the ranges of a whole batch are the concatenation of the
    /// ranges of its blocks of rows, bit for bit, and non-finite elements are counted, not searched.
    @Test(arguments: [Granularity.perChannel(axis: 0), .perGroup(axis: 1, size: 64), .perGroup(axis: 0, size: 4)])
    func rangesDoNotDependOnTheSplit(_ granularity: Granularity) throws {
        let width = 256
        let values = Self.rows(24, width: width)
        let whole = try values.withUnsafeBufferPointer {
            try DataMSESearch.ranges(
                of: $0, shape: [24, width], granularity: granularity, nonFinite: .skip, targets: Self.targets)
        }
        for (k, ranges) in whole.enumerated() {
            var low: [Float] = []
            var high: [Float] = []
            var finite: UInt64 = 0
            for start in stride(from: 0, to: 24, by: 8) {
                let part = try values.withUnsafeBufferPointer {
                    try DataMSESearch.ranges(
                        of: UnsafeBufferPointer(rebasing: $0[(start * width)..<((start + 8) * width)]),
                        shape: [8, width], granularity: granularity, nonFinite: .skip, targets: [Self.targets[k]])
                }
                low += part[0].low
                high += part[0].high
                finite += part[0].counts.finite
            }
            #expect(ranges.low == low && ranges.high == high)
            #expect(ranges.counts.finite == finite)
            #expect(ranges.counts.nan == 1 && ranges.counts.positiveInfinity == 1)
            #expect(ranges.emptySlots == 0)
        }
        #expect(throws: ObserverError.self) {
            try values.withUnsafeBufferPointer {
                try DataMSESearch.ranges(
                    of: $0, shape: [24, width], granularity: granularity, nonFinite: .error, targets: Self.targets)
            }
        }
    }
}

private func pow2(_ x: Double) -> Double { x * x }
