/// The `naming` section: how dataset paths become layer names and roles.
///
/// Order of precedence for a dataset: an explicit `map` entry, then the first matching user `rules`
/// entry, then (unless `builtin-rules: false`) the built-in conventions of ``LayerNaming``.
public struct NamingConfig: Codable, Sendable, Hashable {
    /// Whether the built-in conventions apply after the user's rules (default `true`).
    public var builtinRules: Bool
    /// User rules, tried in order.
    public var rules: [NamingRule]
    /// Explicit assignments by dataset path (with or without the leading `/`).
    public var map: [String: DatasetAssignment]

    /// Creates a naming section (the default: built-in rules only).
    public init(builtinRules: Bool = true, rules: [NamingRule] = [], map: [String: DatasetAssignment] = [:]) {
        self.builtinRules = builtinRules
        self.rules = rules
        self.map = map
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case builtinRules = "builtin-rules"
        case rules, map
    }

    /// Decodes the section, rejecting unknown keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        builtinRules = try c.decodeIfPresent(Bool.self, forKey: .builtinRules) ?? true
        rules = try c.decodeIfPresent([NamingRule].self, forKey: .rules) ?? []
        map = try c.decodeIfPresent([String: DatasetAssignment].self, forKey: .map) ?? [:]
    }
}
