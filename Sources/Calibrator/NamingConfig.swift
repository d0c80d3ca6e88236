/// The `naming` section: how dataset paths become layer names and roles.
///
/// Order of precedence for a dataset: an explicit `map` entry, then the first matching user `rules`
/// entry, then (unless `builtin-rules: false`) the built-in conventions of ``LayerNaming``.
/// `unmatched` says what happens when weights and activations are both given and a layer has only one
/// of them (its names differ between the files).
public struct NamingConfig: Codable, Sendable, Hashable {
    /// Whether the built-in conventions apply after the user's rules (default `true`).
    public var builtinRules: Bool
    /// User rules, tried in order.
    public var rules: [NamingRule]
    /// Explicit assignments by dataset path (with or without the leading `/`).
    public var map: [String: DatasetAssignment]
    /// What to do with a layer that has a weight but no activation dataset or the reverse, when both
    /// kinds of input are given (default ``UnmatchedLayerPolicy/warn``).
    public var unmatched: UnmatchedLayerPolicy

    /// Creates a naming section (the default: built-in rules only, unmatched layers are warnings).
    public init(
        builtinRules: Bool = true, rules: [NamingRule] = [], map: [String: DatasetAssignment] = [:],
        unmatched: UnmatchedLayerPolicy = .warn
    ) {
        self.builtinRules = builtinRules
        self.rules = rules
        self.map = map
        self.unmatched = unmatched
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case builtinRules = "builtin-rules"
        case rules, map, unmatched
    }

    /// Encodes the section; `unmatched` only when it is not the default (records of earlier
    /// configurations, and their fingerprints, stay the same).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(builtinRules, forKey: .builtinRules)
        try c.encode(rules, forKey: .rules)
        try c.encode(map, forKey: .map)
        if unmatched != .warn { try c.encode(unmatched, forKey: .unmatched) }
    }

    /// Decodes the section, rejecting unknown keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        builtinRules = try c.decodeIfPresent(Bool.self, forKey: .builtinRules) ?? true
        rules = try c.decodeIfPresent([NamingRule].self, forKey: .rules) ?? []
        map = try c.decodeIfPresent([String: DatasetAssignment].self, forKey: .map) ?? [:]
        unmatched = try c.decodeIfPresent(UnmatchedLayerPolicy.self, forKey: .unmatched) ?? .warn
    }
}

/// `naming.unmatched`: a layer found in only one of the weights and the activations.
public enum UnmatchedLayerPolicy: String, ConfigChoice, Hashable {
    /// A warning per such layer; the layer is calibrated with what it has.
    case warn
    /// Stop with an error listing the layers.
    case error

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}
