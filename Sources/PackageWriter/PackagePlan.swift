public import JSON
public import PackageFormat
public import Calibrator
public import QuantCore

/// What to put in a package: for every layer, how each of its weight-file tensors is stored, and its
/// activation parameters. ``PackageJob`` reads the tensors from the weights file and writes the package.
///
/// A calibration result maps onto a plan one to one; keeping the plan separate lets the package be
/// written (and tested) independently of how the parameters were found.
public struct PackagePlan: Sendable {
    /// How one tensor of the weights file is stored.
    public enum Storage: Sendable {
        /// Integer codes with these parameters (2…16 bits).
        case affine(QuantizationParameters, symmetry: Symmetry, profile: CompatibilityProfile, schemeReason: String?)
        /// Minifloat codes with a float32 scale per block.
        case minifloat(FloatFormatQuantizer)
        /// int32 codes, zero-point 0, one scale per element of a 1-D tensor or one for the tensor.
        case int32(scales: [Float], reason: String)
        /// float32, unquantized, with the reason.
        case float32(note: String)
    }

    /// One tensor of the weights file.
    public struct Tensor: Sendable {
        /// Layer the tensor belongs to.
        public var layer: String
        /// Dataset path in the weights file (absolute).
        public var dataset: String
        /// Its role (`weight`, `bias`).
        public var role: String
        /// How to store it.
        public var storage: Storage

        /// Creates a tensor plan.
        public init(layer: String, dataset: String, role: String, storage: Storage) {
            self.layer = layer
            self.dataset = dataset
            self.role = role
            self.storage = storage
        }
    }

    /// Every layer name (including layers with only an activation).
    public var layers: [String]
    /// The tensors to store.
    public var tensors: [Tensor]
    /// Activation parameters by layer name.
    public var activations: [String: ActivationRecord]
    /// Effective settings by layer name (recorded in the manifest).
    public var policies: [String: JSONValue]

    /// Creates a plan.
    public init(
        layers: [String], tensors: [Tensor] = [], activations: [String: ActivationRecord] = [:],
        policies: [String: JSONValue] = [:]
    ) {
        self.layers = layers
        self.tensors = tensors
        self.activations = activations
        self.policies = policies
    }
}
