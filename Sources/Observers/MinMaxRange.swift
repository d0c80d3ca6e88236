/// The `histogram` observer's range method: `[min, max]` of the finite data. No options.
public struct MinMaxRange: HistogramRange {
    /// The method (it has no options).
    public init() {}

    /// `.minmax`.
    public var method: HistogramRangeMethod { .minmax }

    /// `[min, max]`; `target` is not used.
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        (h.min, h.max)
    }
}
