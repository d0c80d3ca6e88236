/// A JSON-like value from a configuration file, kept as written (used for observer options, whose
/// schema belongs to the observer and is checked when the observer is created).
///
/// Encodes back to the same shape; mappings encode with their keys sorted when the encoder sorts keys,
/// so a recorded configuration is byte-stable.
public enum ConfigValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `null` / `~`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A number with a fraction or exponent.
    case double(Double)
    /// A string.
    case string(String)
    /// A sequence.
    case array([ConfigValue])
    /// A mapping with string keys.
    case object([String: ConfigValue])

    /// Decodes whatever single value the decoder holds, trying the scalar types before containers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConfigValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ConfigValue].self))
        }
    }

    /// Encodes the value in the same shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as written in a flow-style YAML/JSON fragment (keys sorted).
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let values):
            "{" + values.keys.sorted().map { "\($0): \(values[$0].map(\.description) ?? "null")" }
                .joined(separator: ", ") + "}"
        }
    }
}
