public import Observers
public import QuantCore

/// Importance-weighted clipping for round-to-nearest (llama.cpp's importance-matrix idea): each block's range
/// (per tensor, per output channel or per group along the inputs) is searched to minimise
///
///     Σ_j imp_j·(w_j − ŵ_j)²,   imp_j = Σₙ xₙⱼ² (the input's ``InputMoments/sumOfSquares``)
///
/// instead of the unweighted error, so the columns that meet large inputs are rounded most faithfully. Needs
/// only the per-feature moments (no Gram matrix). The search is `Observers.ClippingSearch` (the MSE observer's:
/// a grid on t ∈ [1/8, 1] of the full range, refined twice, never worse than the full range) on the scheme's own
/// grid; a block whose inputs are all zero keeps its min-max range.
public struct ImportanceClipping: Sendable, Hashable, Codable {
    /// Creates the method (it has no settings).
    public init() {}

    /// Rounds `weight` onto `scheme` with importance-searched ranges.
    /// - Throws: ``WeightRoundingError`` for moments of another feature count or an unsupported granularity.
    public func quantize(
        _ weight: WeightMatrix, moments: InputMoments, scheme: AffineScheme
    ) throws(WeightRoundingError) -> RoundedWeight {
        try weight.check(moments)
        let blocks = try weight.blocks(of: scheme.granularity)
        let n = weight.inputs
        let w = weight.values
        let importance = moments.sumOfSquares
        let target = RangeTarget(scheme)
        let groupCount = blocks.count(inputs: n)
        let rowSets: [Range<Int>] =
            blocks == .tensor ? [0..<weight.outputs] : (0..<weight.outputs).map { $0..<($0 + 1) }
        var mins = [Float](repeating: 0, count: rowSets.count * groupCount)
        var maxs = [Float](repeating: 0, count: rowSets.count * groupCount)
        for (b, rows) in rowSets.enumerated() {
            for g in 0..<groupCount {
                let columns = weight.columns(ofBlock: g, blocks)
                var lo = Double.infinity
                var hi = -Double.infinity
                var weightSum = 0.0
                for r in rows {
                    for j in columns {
                        lo = Swift.min(lo, w[r * n + j])
                        hi = Swift.max(hi, w[r * n + j])
                    }
                }
                for j in columns { weightSum += importance[j] }
                var range = (low: lo, high: hi)
                if weightSum > 0 {
                    var failure: WeightRoundingError?
                    let found = ClippingSearch.search(min: lo, max: hi, target: target) { a, c in
                        do throws(WeightRoundingError) {
                            let grid = try RowGrid(scheme: scheme, mins: [Float(a)], maxs: [Float(c)])
                            var score = 0.0
                            for r in rows {
                                for j in columns where importance[j] > 0 {
                                    let e = w[r * n + j] - grid.round(w[r * n + j], row: 0).value
                                    score += importance[j] * e * e
                                }
                            }
                            return score
                        } catch {
                            failure = error
                            return .infinity
                        }
                    }
                    if let failure { throw failure }
                    range = (found.low, found.high)
                }
                mins[b * groupCount + g] = Float(range.low)
                maxs[b * groupCount + g] = Float(range.high)
            }
        }
        let fitted = try weight.storedParameters(scheme: scheme, mins: mins, maxs: maxs)
        let stored = weight.stored(w.map(Float.init))
        do {
            return RoundedWeight(
                codes: try fitted.parameters.quantize(stored, as: Int32.self), parameters: fitted.parameters,
                rangeMins: fitted.mins, rangeMaxs: fitted.maxs)
        } catch {
            throw .quantization("\(error)")
        }
    }
}
