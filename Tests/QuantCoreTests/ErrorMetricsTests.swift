import CMomentKernels
import QuantCore
import TestSupport
import Testing

@Suite struct ErrorMetricsTests {
    /// Values from the definitions on a small example computed by hand-checkable sums:
    /// x = [1, −2, 3, 0], x̂ = [1, −1.5, 2, 0]: Σe² = 1.25, Σx² = 14, Σx̂² = 7.25, Σxx̂ = 10.
    @Test func definitions() throws {
        let m = try ErrorMetrics(reference: [1, -2, 3, 0], reconstruction: [1, -1.5, 2, 0])
        #expect(m.count == 4)
        #expect(m.meanSquaredError == 1.25 / 4)
        #expect(m.maxAbsoluteError == 1)
        #expect(abs(m.sqnrDecibels - 10 * 1.0492180226701815) < 1e-12)  // Python math.log10(14 / 1.25)
        #expect(abs(m.cosineSimilarity - 10 / (14.0 * 7.25).squareRoot()) < 1e-15)
    }

    @Test func edgeCasesNeverNaN() throws {
        let exact = try ErrorMetrics(reference: [1, 2], reconstruction: [1, 2])
        #expect(
            exact.sqnrDecibels == .infinity && abs(exact.cosineSimilarity - 1) < 1e-15 && exact.meanSquaredError == 0)
        let zeros = try ErrorMetrics(reference: [0, 0], reconstruction: [0, 0])
        #expect(zeros.cosineSimilarity == 1 && zeros.sqnrDecibels == .infinity)
        let nonFinite = try ErrorMetrics(reference: [.nan, 1, .infinity], reconstruction: [0, 1, 1])
        #expect(nonFinite.count == 1 && nonFinite.nonFiniteCount == 2)
        let empty = ErrorMetrics()
        #expect(empty.meanSquaredError == 0 && empty.clippingFraction == 0)
        #expect(throws: QuantizationError.self) { try ErrorMetrics(reference: [1], reconstruction: []) }
    }

    /// The four-lane kernel agrees with a plain Double loop, with non-finite pairs inside vector groups.
    @Test func agreesWithPlainLoop() throws {
        var rng = SplitMix64(seed: 21)
        var x = (0..<1003).map { _ in Float.random(in: -4...4, using: &rng) }
        let y = x.map { ($0 * 8).rounded() / 8 }
        x[2] = .nan
        x[517] = .infinity
        let m = try ErrorMetrics(reference: x, reconstruction: y)
        var e2 = 0.0
        var x2 = 0.0
        var y2 = 0.0
        var xy = 0.0
        var emax = 0.0
        var n = 0
        for i in x.indices where x[i].isFinite {
            let a = Double(x[i])
            let b = Double(y[i])
            e2 += (a - b) * (a - b)
            x2 += a * a
            y2 += b * b
            xy += a * b
            emax = max(emax, abs(a - b))
            n += 1
        }
        #expect(m.count == n && m.nonFiniteCount == 2 && m.maxAbsoluteError == emax)
        #expect(abs(m.sumSquaredError - e2) <= 1e-12 * e2 && abs(m.sumProducts - xy) <= 1e-12 * x2)
        #expect(abs(m.sumSquaredReference - x2) <= 1e-12 * x2 && abs(m.sumSquaredReconstruction - y2) <= 1e-12 * y2)
    }

    /// Merging batch metrics equals the metrics of the concatenation.
    @Test func mergeEqualsWhole() throws {
        var rng = SplitMix64(seed: 9)
        let x = (0..<1000).map { _ in Float.random(in: -1...1, using: &rng) }
        let y = x.map { ($0 * 16).rounded() / 16 }
        let whole = try ErrorMetrics(reference: x, reconstruction: y)
        var merged = try ErrorMetrics(reference: Array(x[..<300]), reconstruction: Array(y[..<300]))
        merged.merge(try ErrorMetrics(reference: Array(x[300...]), reconstruction: Array(y[300...])))
        #expect(merged.count == whole.count && merged.maxAbsoluteError == whole.maxAbsoluteError)
        #expect(abs(merged.sumSquaredError - whole.sumSquaredError) <= 1e-12 * whole.sumSquaredError)
    }

    /// The clipping fraction counts values beyond the extreme codes' real values.
    @Test func clippingFromParameters() throws {
        let params = try AffineScheme(format: .int8, symmetry: .symmetric).parameters(mins: [-1], maxs: [1], shape: [8])
        // s = 1/127: the int8 grid spans [−128·s, 127·s] = [−1.0079, 1]; 1.5 and −3 lie beyond it.
        let m = try params.errorMetrics(of: [0, 0.5, 1, 1.5, -1, -3, 0.25, -0.75])
        #expect(m.clippedCount == 2 && m.clippingFraction == 0.25)
        #expect(m.maxAbsoluteError == Double(-128 * params.scales[0]) + 3)
    }
}

/// The C kernel behind ``ErrorMetrics/Stream`` (`ptqkit_error_lanes_add`) on each code path against the lane
/// algorithm written out in Double here: pair i of each group of four into lane i mod 4, `lane += product`,
/// max |d| taken only when greater, stopping before a group with a NaN or ±Inf.
@Suite struct ErrorLanesKernelTests {
    /// The lanes as the kernel defines them, and the pairs added.
    static func reference(_ x: [Float], _ y: [Float], lanes start: [Double]) -> ([Double], Int) {
        var lanes = start
        var i = 0
        while i + 4 <= x.count {
            let d = (0..<4).map { Double(x[i + $0]) - Double(y[i + $0]) }
            guard d.allSatisfy({ $0 - $0 == 0 }) else { break }
            for j in 0..<4 {
                let (xv, yv) = (Double(x[i + j]), Double(y[i + j]))
                lanes[j] += d[j] * d[j]
                lanes[4 + j] += xv * xv
                lanes[8 + j] += yv * yv
                lanes[12 + j] += xv * yv
                let a = d[j] < 0 ? -d[j] : d[j]
                if a > lanes[16 + j] { lanes[16 + j] = a }
            }
            i += 4
        }
        return (lanes, i)
    }

    @Test(arguments: [0, 1, 5, 64, 1001], [false, true])
    func everyPathAddsTheLanesOfTheReference(count: Int, nonFinite: Bool) {
        var rng = SplitMix64(seed: UInt64(count) &+ 3)
        let x = (0..<count).map { i in i % 7 == 3 ? -0.0 : rng.normalFloat() }
        var y = x.map { $0 + Float(rng.normal() * 0.01) }
        if nonFinite && count > 40 { y[37] = .nan }
        let start = (0..<20).map { Double($0) * 0.25 }
        let (expected, added) = Self.reference(x, y, lanes: start)
        for path: Int32 in [0, 1] {
            var lanes = start
            let n = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    lanes.withUnsafeMutableBufferPointer { l in
                        ptqkit_error_lanes_add_on(path, xp.baseAddress, yp.baseAddress, xp.count, l.baseAddress)
                    }
                }
            }
            #expect(n == added, "path \(path)")
            #expect(lanes.map(\.bitPattern) == expected.map(\.bitPattern), "path \(path)")
        }
    }
}
