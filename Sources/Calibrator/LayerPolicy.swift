/// The effective settings of one layer: built-in defaults, then the configuration's `weights` /
/// `activations` defaults, then every override whose glob matches the layer name, in file order.
///
/// Recorded in the calibration result (and so in the manifest) with the overrides that shaped it.
public struct LayerPolicy: Codable, Sendable, Hashable {
    /// An override that matched the layer.
    public struct AppliedOverride: Codable, Sendable, Hashable {
        /// Position in the configuration's `overrides` list (0-based).
        public var index: Int
        /// The override's patterns.
        public var match: [String]
    }

    /// Layer name.
    public var layer: String
    /// Whether the layer stays in float (`exclude: true` in the last override that sets it).
    public var excluded: Bool
    /// Settings for the layer's weight (and, through it, its bias).
    public var weights: QuantizationSettings
    /// Settings for the layer's input activation.
    public var activations: QuantizationSettings
    /// The overrides that matched, in application order.
    public var appliedOverrides: [AppliedOverride]
}

extension CalibrationConfig {
    /// The effective settings of `layer` (see ``LayerPolicy``).
    public func policy(for layer: String) -> LayerPolicy {
        var weightSettings = QuantizationSettings.weightDefaults.applying(weights)
        var activationSettings = QuantizationSettings.activationDefaults.applying(activations)
        var excluded = false
        var applied: [LayerPolicy.AppliedOverride] = []
        for (index, override) in overrides.enumerated() where override.matches(layer) {
            if let section = override.weights { weightSettings = weightSettings.applying(section) }
            if let section = override.activations { activationSettings = activationSettings.applying(section) }
            if let exclude = override.exclude { excluded = exclude }
            applied.append(LayerPolicy.AppliedOverride(index: index, match: override.match))
        }
        return LayerPolicy(
            layer: layer, excluded: excluded, weights: weightSettings, activations: activationSettings,
            appliedOverrides: applied)
    }
}
