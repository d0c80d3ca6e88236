/// A user rule mapping dataset paths to layers: a regular expression matched against the whole dataset
/// path (without its leading `/`), a layer-name template where `$1`...`$9` insert capture groups, and
/// the role the dataset plays. Rules with role `weight`/`bias` apply to the weights file, rules with
/// role `activation` to the activation files.
///
/// ```yaml
/// naming:
///   rules:
///     - {pattern: '(.*)/w', layer: '$1', role: weight}
/// ```
public struct NamingRule: Codable, Sendable, Hashable {
    /// Regular expression (Swift `Regex` syntax) that must match the whole dataset path.
    public var pattern: String
    /// Layer name template (`$1` ... `$9` are capture groups; default `$1`).
    public var layer: String
    /// Role of the matching datasets.
    public var role: DatasetRole

    /// Creates a rule.
    public init(pattern: String, layer: String = "$1", role: DatasetRole) {
        self.pattern = pattern
        self.layer = layer
        self.role = role
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case pattern, layer, role
    }

    /// Decodes a rule and checks that its pattern compiles.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        pattern = try c.decode(String.self, forKey: .pattern)
        layer = try c.decodeIfPresent(String.self, forKey: .layer) ?? "$1"
        role = try c.decode(DatasetRole.self, forKey: .role)
        try DatasetAssignment.checkLayerName(layer, codingPath: decoder.codingPath + [CodingKeys.layer])
        do {
            _ = try Regex(pattern)
        } catch {
            throw ConfigError(
                .invalidValue(pattern, allowed: "a regular expression (\(error))"),
                codingPath: decoder.codingPath + [CodingKeys.pattern])
        }
    }
}

/// An explicit assignment of one dataset to a layer role (`naming.map`).
public struct DatasetAssignment: Codable, Sendable, Hashable {
    /// Layer name.
    public var layer: String
    /// Role of the dataset in the layer.
    public var role: DatasetRole

    /// Creates an assignment.
    public init(layer: String, role: DatasetRole) {
        self.layer = layer
        self.role = role
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case layer, role
    }

    /// Decodes `{layer, role}`, rejecting other keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        layer = try c.decode(String.self, forKey: .layer)
        role = try c.decode(DatasetRole.self, forKey: .role)
        try Self.checkLayerName(layer, codingPath: decoder.codingPath + [CodingKeys.layer])
    }

    /// Rejects an empty layer name or one with a control character (NUL, newline, ...). Any other name
    /// is allowed, `../x` and `/x` included: a layer name is only a manifest key and a summary row,
    /// never a file-system path (tensors keep their HDF5 dataset paths inside `tensors.h5`).
    static func checkLayerName(_ layer: String, codingPath: [any CodingKey]) throws(ConfigError) {
        guard layer.isEmpty || layer.unicodeScalars.contains(where: LayerNaming.isControl) else { return }
        throw ConfigError(
            .invalidValue(layer.debugDescription, allowed: "a non-empty name without control characters"),
            codingPath: codingPath)
    }
}
