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
    /// The per-feature moments of each layer's input to store (layers that collected moments).
    public var inputMoments: [String: StoredInputMoments] = [:]

    /// Creates a plan.
    public init(layers: [String], activations: [String: ActivationRecord] = [:], policies: [String: JSONValue] = [:]) {
        self.layers = layers
        self.activations = activations
        self.policies = policies
    }
}

/// The per-feature moments of one layer's input as a package stores them (``InputMomentsRecord``).
public struct StoredInputMoments: Sendable, Hashable {
    /// The feature axis of the activation dataset (`[rows, …]`; 0 for scalar rows).
    public var axis: Int
    /// Feature vectors summed over.
    public var count: Int
    /// Σx per feature.
    public var sum: [Double]
    /// Σx² per feature.
    public var sumOfSquares: [Double]

    /// Creates stored moments (`sum` and `sumOfSquares` one entry per feature).
    public init(axis: Int, count: Int, sum: [Double], sumOfSquares: [Double]) {
        self.axis = axis
        self.count = count
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }
}
