public import JSON

/// Which observer collects a tensor's statistics, and its options as written in the configuration.
///
/// In a file, either the short form `observer: minmax` or the long form
/// `observer: {name: percentile, options: {percentile: 99.99}}`. The options are checked by the
/// observer's factory in the registry when the calibrator is created. The calibrator sets `granularity`
/// and `nonFinite` itself (from the settings' granularity and `nan-policy`), so options may not.
public struct ObserverSpec: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Registered observer name (`minmax`, `histogram`, `percentile`, `mse`, `entropy`, ...).
    public var name: String
    /// The observer's options (empty: its defaults).
    public var options: [String: JSONValue]

    /// Creates a spec.
    public init(_ name: String, options: [String: JSONValue] = [:]) {
        self.name = name
        self.options = options
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case name, options
    }

    /// Decodes the short (string) or the long (mapping) form.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(name)
            return
        }
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        self.init(
            try container.decode(String.self, forKey: .name),
            options: try container.decodeIfPresent([String: JSONValue].self, forKey: .options) ?? [:])
    }

    /// `name` or `name {options}`.
    public var description: String {
        options.isEmpty ? name : "\(name) \(JSONValue.object(JSONObject(options)))"
    }
}
