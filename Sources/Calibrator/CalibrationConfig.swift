/// A calibration configuration: what to quantize how, for every layer.
///
/// One `Codable` model read from YAML or JSON (see ``load(contentsOf:observerNames:)`` and the README's
/// "Configuration" section). Top-level keys:
/// - `version`: format version, `1`.
/// - `weights`, `activations`: the defaults (``PolicySettings``) for every layer's weights and input
///   activations, on top of the built-in ``QuantizationSettings/weightDefaults`` and
///   ``QuantizationSettings/activationDefaults``.
/// - `overrides`: ``PolicyOverride``s matched by glob on layer names, applied in order (later wins).
/// - `nan-policy`: `skip` (count NaN/±Inf and leave them out of the statistics) or `error`.
/// - `naming`: how dataset paths map to layers (``NamingConfig``).
/// - `layout`: the weights file's conventions (``ModelLayoutChoice``, default `auto`).
/// - `embeddings`: `float` (default) or `quantize` embedding tables (``EmbeddingPolicy``).
///
/// Encodes (with sorted keys) to a stable form that records the effective configuration in a manifest.
public struct CalibrationConfig: Codable, Sendable, Hashable {
    /// The configuration format version this build reads.
    public static let formatVersion = 1

    /// Format version of the document (1).
    public var version: Int
    /// Defaults for every layer's weights.
    public var weights: PolicySettings
    /// Defaults for every layer's input activations.
    public var activations: PolicySettings
    /// Per-layer overrides, in order of application.
    public var overrides: [PolicyOverride]
    /// What to do with NaN and ±Inf elements.
    public var nanPolicy: NaNPolicy
    /// Dataset-to-layer naming.
    public var naming: NamingConfig
    /// The weights file's layout, `nil` for `auto` (not written then, so earlier records stay the same).
    public var layout: ModelLayoutChoice?
    /// What happens to embedding tables, `nil` for the default `float`.
    public var embeddings: EmbeddingPolicy?

    /// Creates a configuration (defaults: the built-in int8 settings, no overrides).
    public init(
        weights: PolicySettings = PolicySettings(), activations: PolicySettings = PolicySettings(),
        overrides: [PolicyOverride] = [], nanPolicy: NaNPolicy = .skip, naming: NamingConfig = NamingConfig()
    ) {
        version = Self.formatVersion
        self.weights = weights
        self.activations = activations
        self.overrides = overrides
        self.nanPolicy = nanPolicy
        self.naming = naming
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, weights, activations, overrides
        case nanPolicy = "nan-policy"
        case naming
        case layout, embeddings
    }

    /// Decodes a document, rejecting unknown keys and invalid values with their key paths.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version, in: 1...Self.formatVersion) ?? Self.formatVersion
        weights = try c.decodeIfPresent(PolicySettings.self, forKey: .weights) ?? PolicySettings()
        activations = try c.decodeIfPresent(PolicySettings.self, forKey: .activations) ?? PolicySettings()
        overrides = try c.decodeIfPresent([PolicyOverride].self, forKey: .overrides) ?? []
        nanPolicy = try c.decodeIfPresent(NaNPolicy.self, forKey: .nanPolicy) ?? .skip
        naming = try c.decodeIfPresent(NamingConfig.self, forKey: .naming) ?? NamingConfig()
        layout = try c.decodeIfPresent(ModelLayoutChoice.self, forKey: .layout)
        embeddings = try c.decodeIfPresent(EmbeddingPolicy.self, forKey: .embeddings)
    }

    /// Every observer the configuration names, with the key path of its `observer` key, in document order.
    public var observerSpecs: [(spec: ObserverSpec, path: [ConfigPathComponent])] {
        var specs: [(ObserverSpec, [ConfigPathComponent])] = []
        if let spec = weights.observer { specs.append((spec, [.key("weights"), .key("observer")])) }
        if let spec = activations.observer { specs.append((spec, [.key("activations"), .key("observer")])) }
        for (index, override) in overrides.enumerated() {
            let base: [ConfigPathComponent] = [.key("overrides"), .index(index)]
            if let spec = override.weights?.observer {
                specs.append((spec, base + [.key("weights"), .key("observer")]))
            }
            if let spec = override.activations?.observer {
                specs.append((spec, base + [.key("activations"), .key("observer")]))
            }
        }
        return specs
    }

    /// Checks semantic rules that decoding alone cannot: observer names against `observerNames` (when
    /// given), activations per tensor or per channel (never along axis 0, the rows), `zero-point` and `moments`
    /// only for activations.
    ///
    /// - Throws: ``ConfigError`` naming the key path (no line; ``load(contentsOf:observerNames:)`` adds it).
    public func validate(observerNames: [String]?) throws(ConfigError) {
        if let observerNames {
            for (spec, path) in observerSpecs where !observerNames.contains(spec.name) {
                throw ConfigError(.unknownObserver(spec.name, known: observerNames), at: path + [.key("name")])
            }
        }
        var activationSections: [(PolicySettings, [ConfigPathComponent])] = [(activations, [.key("activations")])]
        for (index, override) in overrides.enumerated() {
            if let section = override.activations {
                activationSections.append((section, [.key("overrides"), .index(index), .key("activations")]))
            }
        }
        try validateFormats()
        for (section, path) in activationSections {
            try ActivationGranularityRules.check(section, at: path)
        }
        var weightSections: [(PolicySettings, [ConfigPathComponent])] = [(weights, [.key("weights")])]
        for (index, override) in overrides.enumerated() {
            if let section = override.weights {
                weightSections.append((section, [.key("overrides"), .index(index), .key("weights")]))
            }
        }
        for (section, path) in weightSections {
            for (key, present) in [("zero-point", section.zeroPoint != nil), ("moments", section.moments != nil)]
            where present {
                throw ConfigError(.unknownKey(key, allowed: ActivationGranularityRules.weightKeys), at: path)
            }
        }
    }
}

/// What the calibration does with NaN and ±Inf elements (`nan-policy`).
public enum NaNPolicy: String, ConfigChoice, Hashable {
    /// Leave them out of every statistic and count them (the counts reach the result).
    case skip
    /// Stop with an error naming the dataset and the counts.
    case error

    /// Decodes one of the allowed spellings (the error lists them).
    public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
}
