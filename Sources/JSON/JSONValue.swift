/// A JSON value: what a configuration file holds (observer options, a layer's effective policy, the
/// configuration a manifest records), what an observer's options are checked as, and what `--json`
/// prints. The one JSON-shaped value type of PTQKit, at the bottom of the module graph.
///
/// Integers and numbers with a fraction stay apart (`2048` is ``int(_:)``, `2048.0` ``double(_:)``), so a
/// value encodes back as written. Objects keep their members in insertion order (``JSONObject``): a
/// pretty-printed ``rendered(indent:)`` document has the order it was built in; an encoder that sorts
/// keys (the manifest's) makes the bytes independent of it.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
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
    case array([JSONValue])
    /// A mapping with string keys, in insertion order.
    case object(JSONObject)

    /// Decodes whatever single value the decoder holds, trying the scalar types before containers
    /// (so `3` is an ``int(_:)`` and `3.5` a ``double(_:)``).
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
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode(JSONObject.self))
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

    /// An integer array.
    public static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }

    /// The object's members, or `nil` for other values.
    public var objectValue: JSONObject? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The value as written in a flow-style YAML/JSON fragment (object keys sorted), for messages.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): "\"\(value)\""
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let members):
            "{"
                + members.keys.sorted().map { "\($0): \(members[$0].map(\.description) ?? "null")" }
                .joined(separator: ", ") + "}"
        }
    }
}
