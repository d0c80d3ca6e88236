import Foundation
import Observers
import QuantCore
import TestSupport
import Testing

@testable import WeightRounding

/// AWQ-style scales, SmoothQuant and importance-weighted clipping against direct computations.
struct ScalingMethodTests {
    static let data = GoldenLayerData(seed: 7, outputs: 10, inputs: 24, rows: 160, dead: [])

    static func weight() throws -> WeightMatrix {
        try WeightMatrix(stored: data.w, shape: [data.outputs, data.inputs], inputAxis: 1)
    }

    /// Σₙ‖(Ŵ − W)·xₙ‖² / N computed from X itself.
    static func directOutputError(_ effective: [Double]) -> Double {
        let (m, n) = (data.outputs, data.inputs)
        var total = 0.0
        for r in 0..<data.rows {
            for o in 0..<m {
                var e = 0.0
                for i in 0..<n { e += (effective[o * n + i] - Double(data.w[o * n + i])) * Double(data.x[r * n + i]) }
                total += e * e
            }
        }
        return total / Double(data.rows)
    }

    @Test func outputErrorFromTheGramMatrixEqualsTheDirectSum() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs)
        var g = SplitMix64(seed: 5)
        let (m, n) = (Self.data.outputs, Self.data.inputs)
        let delta = (0..<(m * n)).map { _ in g.uniform() - 0.5 }
        let effective = zip(delta, Self.data.w).map { $0 + Double($1) }
        let fromGram =
            OutputError.trace(delta: delta, gram: try #require(stats.gram), rows: m, features: n)
            / Double(Self.data.rows)
        let direct = Self.directOutputError(effective)
        #expect(abs(fromGram - direct) <= 1e-9 * direct, "\(fromGram) vs \(direct)")
    }

    @Test func awqChoosesTheGridPointWithTheLeastDirectOutputError() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs)
        let weight = try Self.weight()
        let scheme = try AffineScheme(format: .int4, granularity: .perGroup(axis: 1, size: 8))
        let result = try ActivationAwareScaling().quantize(weight, moments: stats, scheme: scheme)
        #expect(result.errors.count == 20)
        // each α's error recomputed from X directly, with the scales rebuilt from mean |x|
        var direct: [Double] = []
        for alpha in AlphaGrid.points() {
            let s = ActivationAwareScaling.scales(meanAbs: stats.meanAbs, alpha: alpha)
            let rounded = try ActivationAwareScaling.roundToNearest(weight, inputScales: s, scheme: scheme)
            direct.append(Self.directOutputError(try rounded.effectiveWeight(weight)))
        }
        for (a, b) in zip(result.errors, direct) { #expect(abs(a - b) <= 1e-9 * max(b, 1e-30)) }
        let best = try #require(direct.indices.min { direct[$0] < direct[$1] })
        #expect(result.alpha == AlphaGrid.points()[best])
        #expect(result.weight.inputScales == ActivationAwareScaling.scales(meanAbs: stats.meanAbs, alpha: result.alpha))
        // α = 0 is round-to-nearest: AWQ never does worse than it
        let rtn = try scheme.parameters(fitting: Self.data.w, shape: [Self.data.outputs, Self.data.inputs])
        let rtnError = Self.directOutputError(try rtn.fakeQuantize(Self.data.w).map(Double.init))
        #expect(abs(direct[0] - rtnError) <= 1e-12 * rtnError)
        #expect(direct[best] <= rtnError)
    }

    @Test func awqScaledCodesDequantizeToTheScaledWeight() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs)
        let weight = try Self.weight()
        let scheme = try AffineScheme(format: .int8, granularity: .perChannel(axis: 0))
        let result = try ActivationAwareScaling(alphas: [0.5]).quantize(weight, moments: stats, scheme: scheme)
        let s = try #require(result.weight.inputScales)
        let restored = try result.weight.parameters.dequantize(result.weight.codes)
        let n = Self.data.inputs
        // Ŵ' ≈ W·diag(s) within half a step, and Ŵ = Ŵ'·diag(s)⁻¹
        for o in 0..<Self.data.outputs {
            let step = Double(result.weight.parameters.scales[o])
            for i in 0..<n {
                let scaled = Double(Self.data.w[o * n + i]) * Double(s[i])
                #expect(abs(Double(restored[o * n + i]) - scaled) <= step / 2 + 1e-6)
            }
        }
    }

    @Test func smoothQuantKeepsTheProductAndFollowsTheFormula() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs)
        let weight = try Self.weight()
        let (m, n) = (Self.data.outputs, Self.data.inputs)
        let s = SmoothQuant.scales(activationMaxAbs: stats.maxAbs, weight: weight, alpha: 0.5)
        for j in 0..<n {
            let wmax = (0..<m).map { abs(Double(Self.data.w[$0 * n + j])) }.max() ?? 0
            let expected = Float((Double(stats.maxAbs[j]).squareRoot() / wmax.squareRoot()))
            #expect(abs(s[j] - expected) <= expected * 1e-6)
        }
        // X·Wᵀ = (X/s)·(W·s)ᵀ
        var worst = 0.0
        for r in 0..<Self.data.rows {
            for o in 0..<m {
                var y = 0.0
                var smoothed = 0.0
                for i in 0..<n {
                    let x = Double(Self.data.x[r * n + i])
                    let w = Double(Self.data.w[o * n + i])
                    y += x * w
                    smoothed += (x / Double(s[i])) * (w * Double(s[i]))
                }
                worst = max(worst, abs(y - smoothed) / max(abs(y), 1))
            }
        }
        #expect(worst < 1e-12)
        // the smoothed activation range is max|X_j|/s_j
        let scheme = try AffineScheme(format: .int8, granularity: .perChannel(axis: 0))
        let fixed = try SmoothQuant().quantize(weight, moments: stats, scheme: scheme)
        #expect(fixed.alpha == 0.5 && fixed.weight.inputScales == s)
        #expect(fixed.smoothedMaxAbs == (0..<n).map { stats.maxAbs[$0] / s[$0] })
    }

    /// A feature that is never non-zero, or a zero weight column, keeps s = 1 (0^α would shrink its column).
    @Test func smoothQuantKeepsDeadFeaturesAndZeroColumnsAtOne() throws {
        var x = Self.data.x
        let n = Self.data.inputs
        for r in 0..<Self.data.rows { x[r * n + 2] = 0 }
        var w = Self.data.w
        for o in 0..<Self.data.outputs { w[o * n + 5] = 0 }
        let stats = try moments(of: x, rows: Self.data.rows, features: n)
        let weight = try WeightMatrix(stored: w, shape: [Self.data.outputs, n], inputAxis: 1)
        for alpha in [0.0, 0.5, 1.0] {
            let s = SmoothQuant.scales(activationMaxAbs: stats.maxAbs, weight: weight, alpha: alpha)
            #expect(s[2] == 1 && s[5] == 1, "α = \(alpha)")
            #expect(s.indices.filter { $0 != 2 && $0 != 5 }.allSatisfy { s[$0] != 1 }, "α = \(alpha)")
        }
    }

    @Test func smoothQuantSearchMinimisesItsErrorModel() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs)
        let weight = try Self.weight()
        let scheme = try AffineScheme(format: .int8, granularity: .perChannel(axis: 0))
        let searched = try SmoothQuant(alpha: .search()).quantize(weight, moments: stats, scheme: scheme)
        #expect(searched.errors.count == AlphaGrid.points().count)
        // E(α) recomputed: direct output error of the weights plus the activation noise term
        for (k, alpha) in AlphaGrid.points().enumerated() {
            let result = try SmoothQuant(alpha: .fixed(alpha)).quantize(weight, moments: stats, scheme: scheme)
            let step = 2 * Double(result.smoothedMaxAbs.max() ?? 0) / 255  // int8: qmax − qmin = 255
            let noise = SmoothQuant.activationNoise(step: step, rounded: result.weight)
            let e = Self.directOutputError(try result.weight.effectiveWeight(weight)) + noise
            #expect(abs(e - searched.errors[k]) <= 1e-9 * e)
        }
        #expect(searched.errors.min() == searched.errors[AlphaGrid.points().firstIndex(of: searched.alpha) ?? -1])
    }

    @Test func importanceClippingNeverLosesToMinMaxOnTheWeightedError() throws {
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs, gram: false)
        let weight = try Self.weight()
        let (m, n) = (Self.data.outputs, Self.data.inputs)
        let scheme = try AffineScheme(format: .int4, granularity: .perGroup(axis: 1, size: 8))
        let clipped = try ImportanceClipping().quantize(weight, moments: stats, scheme: scheme)
        let minMax = try scheme.parameters(fitting: Self.data.w, shape: [m, n])
        let a = try clipped.parameters.dequantize(clipped.codes)
        let b = try minMax.fakeQuantize(Self.data.w)
        var improved = 0
        for o in 0..<m {
            for g in 0..<3 {
                var ea = 0.0
                var eb = 0.0
                for j in (g * 8)..<((g + 1) * 8) {
                    let imp = stats.sumOfSquares[j]
                    let w = Double(Self.data.w[o * n + j])
                    ea += imp * (w - Double(a[o * n + j])) * (w - Double(a[o * n + j]))
                    eb += imp * (w - Double(b[o * n + j])) * (w - Double(b[o * n + j]))
                }
                #expect(ea <= eb * (1 + 1e-12))
                if ea < eb { improved += 1 }
            }
        }
        #expect(improved > 0)
    }

    @Test func importanceClippingFindsTheBruteForceOptimumOfAFineGrid() throws {
        // One block, symmetric: scores of every amax on a fine grid bound the search's result from below only
        // up to the refinement's resolution; the search must be within 1 % of the best grid score.
        let stats = try moments(of: Self.data.x, rows: Self.data.rows, features: Self.data.inputs, gram: false)
        let weight = try Self.weight()
        let n = Self.data.inputs
        let scheme = try AffineScheme(format: .int4, granularity: .perChannel(axis: 0))
        let clipped = try ImportanceClipping().quantize(weight, moments: stats, scheme: scheme)
        let restored = try clipped.parameters.dequantize(clipped.codes)
        func score(_ values: (Int) -> Double) -> Double {
            (0..<n).reduce(0) { sum, j in
                let e = Double(Self.data.w[j]) - values(j)
                return sum + stats.sumOfSquares[j] * e * e
            }
        }
        let found = score { Double(restored[$0]) }
        let amax = Double(Self.data.w[0..<n].map { abs($0) }.max() ?? 0)
        var best = Double.infinity
        for k in 1...2000 {
            let a = Float(amax * Double(k) / 2000)
            let p = scheme.parameters(min: -a, max: a)
            best = min(
                best, score { j in Double(p.scale) * Double(min(max((Self.data.w[j] / p.scale).rounded(), -8), 7)) })
        }
        #expect(found <= best * 1.01, "search \(found), brute force \(best)")
    }
}

/// SmoothQuant on inputs with outlier channels (as LayerNorm outputs show): W8A8 with per-tensor activations,
/// simulated directly on X (activation fake-quant of X/s, weights of W·s), against plain W8A8.
struct SmoothQuantOutlierTests {
    @Test func smoothingGainsAtLeastSixDecibelsOnOutlierChannels() throws {
        let (rows, d, m) = (256, 64, 48)
        var g = SplitMix64(seed: 21)
        var x = [Float](repeating: 0, count: rows * d)
        for n in 0..<rows {
            for j in 0..<d {
                let z = (g.uniform() + g.uniform() + g.uniform() + g.uniform() - 2) * 1.7
                x[n * d + j] = Float(z * ([3, 17, 40].contains(j) ? 40 : 1))
            }
        }
        let w = (0..<(m * d)).map { _ in Float((g.uniform() - 0.5) * 0.4) }
        let stats = try moments(of: x, rows: rows, features: d)
        let weight = try WeightMatrix(stored: w, shape: [m, d], inputAxis: 1)
        let scheme = try AffineScheme(format: .int8, granularity: .perChannel(axis: 0))
        let activationScheme = try AffineScheme(format: .int8)

        /// Output SQNR of X̂·Ŵᵀ with X̂ = fake-quant(X/s)·s per tensor and Ŵ the effective weight.
        func sqnr(scales: [Float]?, rounded: RoundedWeight) throws -> Double {
            let smoothed = (0..<x.count).map { k in x[k] / (scales?[k % d] ?? 1) }
            let p = try activationScheme.parameters(fitting: smoothed, shape: [rows, d])
            let xq = try p.fakeQuantize(smoothed)
            let ws = try rounded.parameters.dequantize(rounded.codes)  // W·diag(s), quantized
            var signal = 0.0
            var noise = 0.0
            for n in 0..<rows {
                for o in 0..<m {
                    var y = 0.0
                    var yq = 0.0
                    for i in 0..<d {
                        y += Double(x[n * d + i]) * Double(w[o * d + i])
                        yq += Double(xq[n * d + i]) * Double(ws[o * d + i])
                    }
                    signal += y * y
                    noise += (y - yq) * (y - yq)
                }
            }
            return 10 * log10(signal / noise)
        }
        let plain = try ActivationAwareScaling.roundToNearest(
            weight, inputScales: [Float](repeating: 1, count: d), scheme: scheme)
        let base = try sqnr(scales: nil, rounded: plain)
        let fixed = try SmoothQuant().quantize(weight, moments: stats, scheme: scheme)
        let searched = try SmoothQuant(alpha: .search()).quantize(weight, moments: stats, scheme: scheme)
        let fixedDB = try sqnr(scales: fixed.weight.inputScales, rounded: fixed.weight)
        let searchedDB = try sqnr(scales: searched.weight.inputScales, rounded: searched.weight)
        #expect(fixedDB >= base + 6, "α = 0.5: \(fixedDB) dB, plain W8A8 \(base) dB")
        #expect(searchedDB >= base + 6, "α = \(searched.alpha): \(searchedDB) dB, plain W8A8 \(base) dB")
        print(
            "SmoothQuant outliers: plain \(base) dB, α=0.5 \(fixedDB) dB, searched α=\(searched.alpha) \(searchedDB) dB"
        )
    }
}
