/// Everything the calibration decided for one layer.
public struct LayerCalibration: Codable, Sendable, Hashable {
    /// Layer name.
    public var layer: String
    /// The layer's datasets.
    public var datasets: LayerDatasets
    /// The effective settings (defaults, then overrides) and the overrides that matched.
    public var policy: LayerPolicy
    /// The input activation's parameters, when the layer has an activation dataset and is not excluded.
    public var activation: ActivationCalibration?
    /// The weight's parameters, when the layer has a weight and is not excluded.
    public var weight: WeightCalibration?
    /// The bias, when the layer has one and is not excluded.
    public var bias: BiasCalibration?

    /// Whether the layer stays in float.
    public var excluded: Bool { policy.excluded }
}
