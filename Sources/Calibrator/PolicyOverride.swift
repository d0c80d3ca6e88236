/// Settings for the layers whose names match a glob: `match` (one pattern or a list; `*`, `?`,
/// `[...]` as in `fnmatch(3)`, `*` also crossing `/`), then `exclude`, `weights`, `activations`.
///
/// Overrides apply in file order after the defaults; a later override wins over an earlier one for
/// every key it sets. `exclude: true` keeps the matching layers in float (no parameters computed).
public struct PolicyOverride: Codable, Sendable, Hashable {
    /// Glob patterns on layer names; the override applies when any matches.
    public var match: [String]
    /// `true` keeps the layer in float, `false` re-includes a layer an earlier override excluded.
    public var exclude: Bool?
    /// Weight settings for the matching layers.
    public var weights: PolicySettings?
    /// Activation settings for the matching layers.
    public var activations: PolicySettings?

    /// Creates an override.
    public init(
        match: [String], exclude: Bool? = nil, weights: PolicySettings? = nil, activations: PolicySettings? = nil
    ) {
        self.match = match
        self.exclude = exclude
        self.weights = weights
        self.activations = activations
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case match, exclude, weights, activations
    }

    /// Decodes an override; `match` is required and may be a string or a list of strings.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard c.contains(.match) else {
            throw ConfigError(.missingKey(CodingKeys.match.rawValue), codingPath: decoder.codingPath)
        }
        match = try c.decodeStringOrList(forKey: .match)
        if match.isEmpty || match.contains(where: \.isEmpty) {
            throw ConfigError(
                .invalidValue("\(match)", allowed: "a non-empty glob or list of globs"),
                codingPath: decoder.codingPath + [CodingKeys.match])
        }
        exclude = try c.decodeIfPresent(Bool.self, forKey: .exclude)
        weights = try c.decodeIfPresent(PolicySettings.self, forKey: .weights)
        activations = try c.decodeIfPresent(PolicySettings.self, forKey: .activations)
    }

    /// Whether any pattern matches `layer`.
    public func matches(_ layer: String) -> Bool {
        match.contains { LayerGlob.matches($0, layer) }
    }
}
