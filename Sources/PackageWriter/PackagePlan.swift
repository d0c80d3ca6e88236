public import JSON
public import PackageFormat

/// What a package records besides its tensors: every layer, its activation parameters, and its
/// effective settings. The tensors come from the calibration itself (``PackageJob/store(_:)``).
public struct PackagePlan: Sendable {
    /// Every layer name (including layers with only an activation).
    public var layers: [String]
    /// Activation parameters by layer name.
    public var activations: [String: ActivationRecord]
    /// Effective settings by layer name (recorded in the manifest).
    public var policies: [String: JSONValue]
    /// The weights file's layout, if any.
    public var layout: LayoutRecord?
    /// The framework's class of each layer, where the layout says it.
    public var layerClasses: [String: String] = [:]

    /// Creates a plan.
    public init(layers: [String], activations: [String: ActivationRecord] = [:], policies: [String: JSONValue] = [:]) {
        self.layers = layers
        self.activations = activations
        self.policies = policies
    }
}
