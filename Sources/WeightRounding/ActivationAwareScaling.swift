internal import Foundation
public import Observers
public import QuantCore

/// AWQ-style activation-aware scaling (Lin et al. 2023, "AWQ: Activation-aware Weight Quantization"): inputs
/// with large mean |x| get their weight columns scaled up before rounding, so they are rounded more finely.
///
///     s_j(α) = max(mean|x_j|^α, 10⁻⁴),  s ← s / √(max s · min s)       (the reference's `auto_scale`)
///     Ŵ(α) = RTN(W·diag(s))·diag(s)⁻¹
///     α* = argmin over ``AlphaGrid`` of tr(ΔW·H·ΔWᵀ), ΔW = Ŵ(α) − W, H = Σxxᵀ/N
///
/// The output error comes from the Gram matrix (``OutputError``): no second pass over the data. RTN is the
/// scheme's min-max fit per block (`AffineScheme.parameters(fitting:shape:)`) and QuantCore's kernels. The
/// recorded s is the Float32 vector the weight was scaled with; the stored codes are those of W·diag(s).
public struct ActivationAwareScaling: Sendable, Hashable, Codable {
    /// The α tried (default ``AlphaGrid/points(count:)``).
    public var alphas: [Double]

    /// Creates settings.
    public init(alphas: [Double] = AlphaGrid.points()) { self.alphas = alphas }

    /// The result: the rounded W·diag(s) with s, the chosen α and the output error tr(ΔW·H·ΔWᵀ)/N per α.
    public struct Result: Sendable, Equatable {
        /// Codes and parameters of W·diag(s), with s as ``RoundedWeight/inputScales``.
        public var weight: RoundedWeight
        /// The chosen exponent.
        public var alpha: Double
        /// Mean output error per row, tr(ΔW·G·ΔWᵀ)/N, for each α of ``alphas`` in order.
        public var errors: [Double]
    }

    /// s(α) per input feature for mean |x| `meanAbs`, rounded to Float32.
    public static func scales(meanAbs: [Double], alpha: Double) -> [Float] {
        let raw = meanAbs.map { Swift.max(pow(Swift.max($0, 0), alpha), 1e-4) }
        let norm = ((raw.max() ?? 1) * (raw.min() ?? 1)).squareRoot()
        return raw.map { Float($0 / norm) }
    }

    /// Searches α and rounds `weight` onto `scheme` (granularity on the stored tensor).
    /// - Throws: ``WeightRoundingError`` for moments that do not fit (no Gram matrix, no rows, another feature
    ///   count), an empty α list or an unsupported granularity.
    public func quantize(
        _ weight: WeightMatrix, moments: InputMoments, scheme: AffineScheme
    ) throws(WeightRoundingError) -> Result {
        guard !alphas.isEmpty, alphas.allSatisfy({ $0.isFinite }) else {
            throw .invalidSetting("the α grid must hold finite values")
        }
        let gram = try GPTQ.gram(of: moments, for: weight)
        _ = try weight.blocks(of: scheme.granularity)
        var best: (error: Double, alpha: Double, weight: RoundedWeight)?
        var errors: [Double] = []
        for alpha in alphas {
            let s = Self.scales(meanAbs: moments.meanAbs, alpha: alpha)
            let rounded = try Self.roundToNearest(weight, inputScales: s, scheme: scheme)
            let error = try Self.outputError(rounded, of: weight, gram: gram, rows: moments.rows)
            errors.append(error)
            if best.map({ error < $0.error }) ?? true { best = (error, alpha, rounded) }
        }
        guard let best else { throw .invalidSetting("the α grid is empty") }
        return Result(weight: best.weight, alpha: best.alpha, errors: errors)
    }

    /// RTN of W·diag(s) (min-max per block of `scheme`), with s recorded.
    static func roundToNearest(
        _ weight: WeightMatrix, inputScales s: [Float], scheme: AffineScheme
    ) throws(WeightRoundingError) -> RoundedWeight {
        let n = weight.inputs
        var scaled = [Float](repeating: 0, count: weight.values.count)
        for o in 0..<weight.outputs {
            for i in 0..<n { scaled[o * n + i] = Float(weight.values[o * n + i] * Double(s[i])) }
        }
        let stored = weight.stored(scaled)
        do {
            let layout = try scheme.granularity.layout(shape: weight.storedShape)
            let (mins, maxs) = try stored.withUnsafeBufferPointer { (buffer) throws(QuantizationError) in
                try layout.finiteMinMax(buffer)
            }
            let parameters = try scheme.parameters(mins: mins, maxs: maxs, shape: weight.storedShape)
            return RoundedWeight(
                codes: try parameters.quantize(stored, as: Int32.self), parameters: parameters, inputScales: s,
                rangeMins: mins, rangeMaxs: maxs)
        } catch {
            throw .quantization("\(error)")
        }
    }

    /// tr(ΔW·G·ΔWᵀ)/N for ΔW = Ŵ − W.
    static func outputError(
        _ rounded: RoundedWeight, of weight: WeightMatrix, gram: [Double], rows: Int
    ) throws(WeightRoundingError) -> Double {
        var delta = try rounded.effectiveWeight(weight)
        for k in delta.indices { delta[k] -= weight.values[k] }
        return OutputError.trace(delta: delta, gram: gram, rows: weight.outputs, features: weight.inputs)
            / Double(Swift.max(rows, 1))
    }
}
