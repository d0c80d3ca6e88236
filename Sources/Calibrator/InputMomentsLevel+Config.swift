public import Observers

extension InputMomentsLevel: ConfigChoice {}

extension LayerPolicy {
    /// The input moments this layer collects: the one place that decides it. Today the configured
    /// `activations: moments:`; the calibration methods that need moments (GPTQ and AWQ the Gram matrix,
    /// importance-weighted clipping and SmoothQuant the per-feature moments) raise it here. `.none` for
    /// excluded layers.
    public var inputMomentsLevel: InputMomentsLevel {
        guard !excluded else { return .none }
        return activations.moments ?? .none
    }
}
