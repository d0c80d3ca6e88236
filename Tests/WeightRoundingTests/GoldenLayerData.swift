import Foundation
import Observers
import TestSupport

/// The test layers of `Tests/Fixtures/make_gptq_goldens.py`, regenerated bit for bit: SplitMix64 uniforms and
/// IEEE-exact arithmetic only (+, −, ×, ÷), so Swift and Python draw the same X and W.
struct GoldenLayerData {
    /// X, rows × inputs, row-major.
    var x: [Float]
    /// W, outputs × inputs, row-major.
    var w: [Float]
    var rows: Int
    var inputs: Int
    var outputs: Int

    init(seed: UInt64, outputs: Int, inputs: Int, rows: Int, dead: Set<Int>) {
        var g = SplitMix64(seed: seed)
        var scale = (0..<inputs).map { _ in 0.5 + g.uniform() }
        scale[3] *= 8  // one outlier feature
        var w = [Float](repeating: 0, count: outputs * inputs)
        for k in w.indices {
            let a = g.uniform()
            let b = g.uniform()
            let c = g.uniform()
            w[k] = Float((a + b + c - 1.5) * 0.2)
        }
        var x = [Float](repeating: 0, count: rows * inputs)
        for n in 0..<rows {
            var previous = 0.0
            for j in 0..<inputs {
                let a = g.uniform()
                let b = g.uniform()
                let c = g.uniform()
                let d = g.uniform()
                let v = (a + b + c + d - 2.0) * scale[j] + 0.6 * previous
                previous = v
                x[n * inputs + j] = dead.contains(j) ? 0 : Float(v)
            }
        }
        (self.x, self.w, self.rows, self.inputs, self.outputs) = (x, w, rows, inputs, outputs)
    }
}

/// Moments of X (rows × features, row-major) computed directly: what a collector would hand over.
func moments(of x: [Float], rows: Int, features d: Int, gram withGram: Bool = true) throws -> InputMoments {
    var sum = [Double](repeating: 0, count: d)
    var abs = [Double](repeating: 0, count: d)
    var squares = [Double](repeating: 0, count: d)
    var maxAbs = [Float](repeating: 0, count: d)
    var gram = [Double](repeating: 0, count: withGram ? d * d : 0)
    for n in 0..<rows {
        for i in 0..<d {
            let v = Double(x[n * d + i])
            sum[i] += v
            abs[i] += Swift.abs(v)
            squares[i] += v * v
            maxAbs[i] = Swift.max(maxAbs[i], Swift.abs(x[n * d + i]))
            if withGram {
                for j in 0..<d { gram[i * d + j] += v * Double(x[n * d + j]) }
            }
        }
    }
    return try InputMoments(
        features: d, rows: rows, sum: sum, sumOfAbs: abs, sumOfSquares: squares, maxAbs: maxAbs,
        gram: withGram ? gram : nil)
}

/// Output SQNR in dB of an effective weight Ŵ (`[out, in]`, Double) against W on X:
/// 10·log10(‖XWᵀ‖² / ‖X(W − Ŵ)ᵀ‖²).
func outputSQNR(x: [Float], rows: Int, w: [Float], effective: [Double], outputs: Int, inputs: Int) -> Double {
    var signal = 0.0
    var noise = 0.0
    for n in 0..<rows {
        for o in 0..<outputs {
            var y = 0.0
            var e = 0.0
            for i in 0..<inputs {
                let v = Double(x[n * inputs + i])
                y += v * Double(w[o * inputs + i])
                e += v * (Double(w[o * inputs + i]) - effective[o * inputs + i])
            }
            signal += y * y
            noise += e * e
        }
    }
    return 10 * log10(signal / noise)
}
