/// The `mse` observer's range method: the range minimising the expected squared quantization error
/// on the target grid, each bin's count spread uniformly over it (`ClippingSearch.mse(_:target:)`:
/// score `QuantizationGrid.expectedSquaredError`, 32-point grid on `t ∈ [1/8, 1]` and two 16-point
/// refinements; symmetric targets search `amax`, asymmetric ones alternate the two bounds). No options.
public struct MSERange: HistogramRange {
    /// The method (it has no options).
    public init() {}

    /// `.mse`.
    public var method: HistogramRangeMethod { .mse }

    /// The MSE-optimal `[low, high]` ⊆ `[min, max]` for `target`.
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        let r = ClippingSearch.mse(h, target: target)
        return (Float(r.low), Float(r.high))
    }
}
