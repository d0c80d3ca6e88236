/// The conventions a weights file follows: how its datasets become layers, what each tensor is to its
/// layer, and which axis holds a kernel's output channels. Recorded in the manifest (`layout`).
public enum ModelLayout: String, Codable, Sendable, Hashable, CaseIterable {
    /// Keras 3 `model.save_weights("m.weights.h5")`: `layers/<class snake_case>[_N]/vars/<i>`, the layer
    /// name only as the `name` attribute of each `vars` group.
    case keras
    /// Legacy Keras HDF5 (`model.save("m.h5")` or weights only): `layer_names` and per-layer
    /// `weight_names` attributes, optionally `model_config` with the layer classes.
    case kerasLegacy = "keras-legacy"
    /// A PyTorch `state_dict()` written with h5py: flat keys (`encoder.layer.0.attention.self.query.weight`)
    /// or the same keys split into nested groups; layers named with dots as torch names its modules.
    case torch
    /// The built-in naming rules of ``LayerNaming`` with PyTorch axes (`[out, in, …]`).
    case generic
}

/// The `layout` key: a ``ModelLayout`` or `auto` (detect it from the weights file).
public enum ModelLayoutChoice: String, ConfigChoice, Hashable {
    /// Detect the layout from the file's groups and attributes (see ``ModelLayoutDetector``).
    case auto
    /// ``ModelLayout/keras``.
    case keras
    /// ``ModelLayout/kerasLegacy``.
    case kerasLegacy = "keras-legacy"
    /// ``ModelLayout/torch``.
    case torch
    /// ``ModelLayout/generic``.
    case generic

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }

    /// The layout this choice forces, `nil` for `auto`.
    public var forced: ModelLayout? { ModelLayout(rawValue: rawValue) }
}

/// The `embeddings` key: whether embedding tables are quantized (per row) or kept in float (the default,
/// as deployment toolchains' int8 recipes do).
public enum EmbeddingPolicy: String, ConfigChoice, Hashable {
    /// Keep embedding tables in float.
    case float
    /// Quantize embedding tables with the weight settings, one scale per row (per-channel along axis 0).
    case quantize

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}
