/// The datasets of one layer: its weight and bias in the weights file, its input in the activation files.
public struct LayerDatasets: Sendable, Hashable, Codable {
    /// Layer name.
    public var layer: String
    /// Dataset path of the weight, if any.
    public var weight: String?
    /// Dataset path of the bias, if any.
    public var bias: String?
    /// Dataset path of the recorded input activation, if any.
    public var activation: String?
    /// Further tensors of the layer its ``ModelLayout`` names (moving statistics, buffers), stored in
    /// float beside the weight and bias.
    public var others: [String] = []

    /// Creates an entry.
    public init(
        layer: String, weight: String? = nil, bias: String? = nil, activation: String? = nil, others: [String] = []
    ) {
        self.layer = layer
        self.weight = weight
        self.bias = bias
        self.activation = activation
        self.others = others
    }

    enum CodingKeys: String, CodingKey {
        case layer, weight, bias, activation, others
    }

    /// Decodes an entry (`others` may be absent).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = try c.decode(String.self, forKey: .layer)
        weight = try c.decodeIfPresent(String.self, forKey: .weight)
        bias = try c.decodeIfPresent(String.self, forKey: .bias)
        activation = try c.decodeIfPresent(String.self, forKey: .activation)
        others = try c.decodeIfPresent([String].self, forKey: .others) ?? []
    }

    /// Encodes the entry; `others` only when there are some (earlier records stay the same).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encodeIfPresent(weight, forKey: .weight)
        try c.encodeIfPresent(bias, forKey: .bias)
        try c.encodeIfPresent(activation, forKey: .activation)
        if !others.isEmpty { try c.encode(others, forKey: .others) }
    }

    /// The dataset playing `role`.
    public subscript(role: DatasetRole) -> String? {
        get {
            switch role {
            case .weight: weight
            case .bias: bias
            case .activation: activation
            }
        }
        set {
            switch role {
            case .weight: weight = newValue
            case .bias: bias = newValue
            case .activation: activation = newValue
            }
        }
    }
}

/// Every layer found in the inputs, in natural name order, and what the mapping noticed.
public struct LayerMap: Sendable, Hashable, Codable {
    /// The layers, in natural name order.
    public var layers: [LayerDatasets]
    /// Datasets left out and other oddities; none stops the calibration.
    public var warnings: [LayerNamingWarning]

    /// Creates a map.
    public init(layers: [LayerDatasets], warnings: [LayerNamingWarning] = []) {
        self.layers = layers
        self.warnings = warnings
    }

    /// The entry of `layer`.
    public subscript(layer: String) -> LayerDatasets? {
        layers.first { $0.layer == layer }
    }
}

/// Something the layer mapping noticed that does not stop the calibration.
public enum LayerNamingWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    /// No rule maps this dataset to a layer; it is ignored.
    case unmappedDataset(String, origin: LayerNaming.Origin)
    /// A layer has a bias but no weight; the bias is left in float.
    case biasWithoutWeight(layer: String, dataset: String)
    /// Weights and activations were given, and a layer has only one of them (`dataset`, from `origin`).
    case unmatchedLayer(layer: String, dataset: String, origin: LayerNaming.Origin)

    /// One line naming the dataset.
    public var description: String {
        switch self {
        case .unmappedDataset(let path, let origin):
            "\(origin.rawValue) dataset \(path) maps to no layer; it is ignored (add a naming rule or map entry)"
        case .biasWithoutWeight(let layer, let path):
            "layer \(layer): bias \(path) has no weight; it stays in float"
        case .unmatchedLayer(let layer, let path, let origin):
            "layer \(layer): \(origin == .weights ? "weight" : "activation") dataset \(path) has no "
                + "\(origin == .weights ? "activation dataset" : "weight") of the same layer name "
                + "(naming.unmatched: warn; map the names with naming.rules or naming.map)"
        }
    }
}

/// A dataset mapping that cannot be used.
public enum LayerNamingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two or more datasets map to the same role of the same layer.
    case duplicateRole(layer: String, role: DatasetRole, datasets: [String])
    /// Layers found in only one of the weights and the activations, with `naming.unmatched: error`
    /// (each entry: `dataset (layer name)`).
    case unmatchedLayers(weightsOnly: [String], activationsOnly: [String])
    /// A layer name that is empty or contains a control character (NUL, newline, ...), from `dataset`
    /// of the weights or the activation files.
    case invalidLayerName(layer: String, dataset: String, origin: LayerNaming.Origin)
    /// Matching `naming.rules[rule].pattern` against `dataset` ran longer than
    /// ``LayerNaming/matchTimeLimit`` (catastrophic backtracking, e.g. `(a+)+$`).
    case slowPattern(rule: Int, pattern: String, dataset: String, origin: LayerNaming.Origin)

    /// One line naming the layer, the role and the datasets.
    public var description: String {
        switch self {
        case .duplicateRole(let layer, let role, let datasets):
            "layer \(layer): datasets \(datasets.joined(separator: ", ")) all map to its \(role.rawValue); "
                + "disambiguate with naming.map or naming.rules"
        case .unmatchedLayers(let weightsOnly, let activationsOnly):
            "layer names of the weights and the activations do not match (naming.unmatched: error): "
                + "weights only: \(weightsOnly.isEmpty ? "none" : weightsOnly.joined(separator: ", ")); "
                + "activations only: \(activationsOnly.isEmpty ? "none" : activationsOnly.joined(separator: ", "))"
        case .invalidLayerName(let layer, let dataset, _):
            "dataset \(dataset): layer name \(layer.debugDescription) is empty or contains a control character"
        case .slowPattern(let rule, let pattern, let dataset, _):
            "naming.rules[\(rule)].pattern: \(pattern.debugDescription) did not finish matching dataset \(dataset) "
                + "within \(Int(LayerNaming.matchTimeLimit)) s (catastrophic backtracking?): simplify the pattern"
        }
    }
}
