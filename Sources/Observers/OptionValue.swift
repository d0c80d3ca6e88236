/// A JSON-shaped value: the registry's internal view of the options a config hands it (any
/// `Encodable`, e.g. the Calibrator's `ConfigValue`), before they are decoded into an observer's
/// typed options.
enum OptionValue: Codable, Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([OptionValue])
    /// An object.
    case object([String: OptionValue])

    /// Decodes any JSON-shaped value.
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([OptionValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: OptionValue].self))
        }
    }

    /// Encodes the value as JSON-shaped data.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d == d.rounded(), abs(d) < 9.0e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The object's keys, or `[]`.
    var keys: [String] {
        if case .object(let o) = self { return o.keys.sorted() }
        return []
    }

    /// `self` with `overlay`'s object entries replacing its own (top level only).
    func overlaid(with overlay: OptionValue) -> OptionValue {
        guard case .object(var base) = self, case .object(let top) = overlay else { return overlay }
        for (k, v) in top { base[k] = v }
        return .object(base)
    }
}
