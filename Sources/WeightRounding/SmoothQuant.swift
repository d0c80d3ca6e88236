internal import Foundation
public import Observers
public import QuantCore

/// SmoothQuant (Xiao et al. 2023): migrates activation outliers into the weights with a per-input-feature
/// scale, X·Wᵀ = (X·diag(s)⁻¹)·(W·diag(s))ᵀ exactly, so both sides quantize well:
///
///     s_j = max(max|X_j|^α / max(max_o |W_oj|, 10⁻⁵)^(1−α), 10⁻⁵)     (the reference's `smooth_ln_fcs`)
///
/// except s_j = 1 for a dead feature (max|X_j| = 0: nothing to migrate, and 0^α would shrink the column) or a
/// zero weight column (max|W_j| = 0: nothing to scale).
///
/// The activations are divided by s (a deployer folds 1/s into the preceding normalization), the weights
/// multiplied by s and then rounded to nearest on the weight scheme.
///
/// α is fixed (0.5 by default) or searched on ``AlphaGrid/points(count:)`` per layer by the output error with activation
/// quantization simulated, from the input's moments alone (no second pass):
///
///     E(α) = tr(ΔW·H·ΔWᵀ) + Δ_a²/12 · ‖Ŵ_s‖²_F,   H = Σxxᵀ/N
///
/// where ΔW = Ŵ − W is the weight's rounding error in the original domain, Ŵ_s = RTN(W·diag(s)) and
/// Δ_a = 2·max_j(max|X_j|/s_j)/(qmax − qmin) the step of a per-tensor activation grid over the smoothed
/// range (rounding noise of variance Δ_a²/12 per element, independent of x: its output power per row is
/// Δ_a²/12·‖Ŵ_s‖²_F).
public struct SmoothQuant: Sendable, Hashable, Codable {
    /// How α is chosen.
    public enum Alpha: Sendable, Hashable, Codable {
        /// This α for every layer (0.5 in the paper).
        case fixed(Double)
        /// The α of ``AlphaGrid/points(count:)`` (`count` points) with the least E(α).
        case search(count: Int = AlphaGrid.defaultCount)
    }

    /// How α is chosen.
    public var alpha: Alpha
    /// The activation code format whose per-tensor step the search simulates.
    public var activationFormat: IntegerFormat

    /// Creates settings.
    public init(alpha: Alpha = .fixed(0.5), activationFormat: IntegerFormat = .int8) {
        self.alpha = alpha
        self.activationFormat = activationFormat
    }

    /// The result: the rounded W·diag(s) with s, α, the smoothed activation range and E(α) per α tried.
    public struct Result: Sendable, Equatable {
        /// Codes and parameters of W·diag(s), with s as ``RoundedWeight/inputScales``.
        public var weight: RoundedWeight
        /// The α used.
        public var alpha: Double
        /// max|X_j|/s_j per input feature: the range of the smoothed activation.
        public var smoothedMaxAbs: [Float]
        /// E(α) for each α tried, in order (one entry for a fixed α).
        public var errors: [Double]
    }

    /// s(α) per input feature (Float32) for activation ranges `activationMaxAbs` and the weight W (`[out, in]`).
    public static func scales(activationMaxAbs: [Float], weight: WeightMatrix, alpha: Double) -> [Float] {
        let n = weight.inputs
        var weightMax = [Double](repeating: 0, count: n)
        for o in 0..<weight.outputs {
            for i in 0..<n { weightMax[i] = Swift.max(weightMax[i], abs(weight.values[o * n + i])) }
        }
        return (0..<n).map { j in
            guard activationMaxAbs[j] > 0, weightMax[j] > 0 else { return 1 }
            let a = pow(Double(activationMaxAbs[j]), alpha)
            let w = pow(Swift.max(weightMax[j], 1e-5), 1 - alpha)
            return Float(Swift.max(a / w, 1e-5))
        }
    }

    /// Smooths and rounds `weight` onto `scheme`.
    /// - Throws: ``WeightRoundingError`` for moments that do not fit (another feature count; no Gram matrix or
    ///   no rows when α is searched), an α outside [0, 1] or an unsupported granularity.
    public func quantize(
        _ weight: WeightMatrix, moments: InputMoments, scheme: AffineScheme
    ) throws(WeightRoundingError) -> Result {
        let span = Double(activationFormat.qmax - activationFormat.qmin)
        return try quantize(weight, moments: moments, scheme: scheme) { s in
            2 * Double((0..<s.count).map { moments.maxAbs[$0] / s[$0] }.max() ?? 0) / span
        }
    }

    /// Smooths and rounds `weight` onto `scheme`, simulating the activation grid whose step Δ_a for the scales
    /// s is `activationStep(s)` (the per-tensor scale a deployer's grid has over the range of X·diag(s)⁻¹, e.g.
    /// an asymmetric one from per-feature minima and maxima); E(α) as above with that Δ_a.
    /// - Throws: ``WeightRoundingError`` as ``quantize(_:moments:scheme:)``, and for scales that are not finite.
    public func quantize(
        _ weight: WeightMatrix, moments: InputMoments, scheme: AffineScheme,
        activationStep: (_ scales: [Float]) -> Double
    ) throws(WeightRoundingError) -> Result {
        try weight.check(moments)
        let alphas: [Double]
        switch alpha {
        case .fixed(let a):
            guard (0...1).contains(a) else { throw .invalidSetting("alpha must be in [0, 1], not \(a)") }
            alphas = [a]
        case .search(let count):
            guard count >= 1 else { throw .invalidSetting("the α grid needs at least 1 point, not \(count)") }
            alphas = AlphaGrid.points(count: count)
        }
        let gram = alphas.count > 1 ? try GPTQ.gram(of: moments, for: weight) : nil
        var best: (error: Double, alpha: Double, weight: RoundedWeight, range: [Float])?
        var errors: [Double] = []
        for a in alphas {
            let s = Self.scales(activationMaxAbs: moments.maxAbs, weight: weight, alpha: a)
            if let j = s.firstIndex(where: { !$0.isFinite }) {
                throw .invalidSetting("s[\(j)] = max|X|^α / max|W|^(1−α) overflows Float32 at α = \(a)")
            }
            let rounded = try ActivationAwareScaling.roundToNearest(weight, inputScales: s, scheme: scheme)
            let range = (0..<s.count).map { moments.maxAbs[$0] / s[$0] }
            var error = 0.0
            if let gram {
                error = try ActivationAwareScaling.outputError(rounded, of: weight, gram: gram, rows: moments.rows)
                error += Self.activationNoise(step: activationStep(s), rounded: rounded)
            }
            errors.append(error)
            if best.map({ error < $0.error }) ?? true { best = (error, a, rounded, range) }
        }
        guard let best else { throw .invalidSetting("no α to try") }
        return Result(weight: best.weight, alpha: best.alpha, smoothedMaxAbs: best.range, errors: errors)
    }

    /// Δ_a²/12·‖Ŵ_s‖²_F: the output power per row of a per-tensor activation grid's rounding noise (step Δ_a).
    static func activationNoise(step: Double, rounded: RoundedWeight) -> Double {
        var norm = 0.0
        for (k, q) in rounded.codes.enumerated() {
            let p = rounded.parameters.layout.parameterIndex(ofElement: k)
            let v = Double(rounded.parameters.dequantize(q, parameter: p))
            norm += v * v
        }
        return step * step / 12 * norm
    }
}
