public import Observers

extension InputMomentsLevel: ConfigChoice {}

extension LayerPolicy {
    /// The input moments this layer collects: the one place that decides it. Today the configured
    /// `activations: moments:`, raised to what the weight's method needs (``WeightRoundingMethod/Name/momentsLevel``: GPTQ and
    /// AWQ the Gram matrix, importance-weighted clipping the per-feature moments). `.none` for excluded layers.
    public var inputMomentsLevel: InputMomentsLevel {
        guard !excluded else { return .none }
        return Swift.max(
            activations.moments ?? .none, weights.method?.momentsLevel ?? .none,
            weights.smoothing?.momentsLevel ?? .none)
    }
}
