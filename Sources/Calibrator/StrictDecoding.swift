// Decoding helpers that make configuration errors precise: unknown keys are rejected with the list of
// allowed keys, closed sets of strings name their allowed values, and numeric domains are checked
// where the value is decoded, so every error carries the key path of the offending value.

/// A coding key for any string or integer (used to list every key a mapping holds).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A string-valued choice in a configuration file (`scheme: auto`): decoding names the allowed values.
protocol ConfigChoice: RawRepresentable<String>, CaseIterable, Codable, Sendable {}

extension ConfigChoice {
    /// The allowed spellings, comma-separated, in declaration order.
    static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Decodes one of the allowed spellings or throws ``ConfigError/Reason/invalidValue(_:allowed:)``.
    static func decodeChoice(from decoder: any Decoder) throws -> Self {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw ConfigError(.invalidValue(text, allowed: allowedValues), codingPath: decoder.codingPath)
        }
        return value
    }
}

extension Decoder {
    /// A keyed container that throws ``ConfigError/Reason/unknownKey(_:allowed:)`` for any key that
    /// `Keys` does not define.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy type: Keys.Type) throws -> KeyedDecodingContainer<Keys>
    {
        let all = try container(keyedBy: AnyCodingKey.self)
        let allowed = Keys.allCases.map(\.stringValue)
        for key in all.allKeys where !allowed.contains(key.stringValue) {
            throw ConfigError(.unknownKey(key.stringValue, allowed: allowed), codingPath: codingPath + [key])
        }
        return try container(keyedBy: type)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional integer and checks it lies in `range`.
    func decodeIfPresent(_ type: Int.Type, forKey key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard range.contains(value) else {
            throw ConfigError(
                .invalidValue(String(value), allowed: "\(range.lowerBound)...\(range.upperBound)"),
                codingPath: codingPath + [key])
        }
        return value
    }

    /// Decodes an optional number and checks `isValid`; `allowed` describes the domain in messages.
    func decodeIfPresent(
        _ type: Double.Type, forKey key: Key, allowed: String, where isValid: (Double) -> Bool
    ) throws -> Double? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard isValid(value) else {
            throw ConfigError(.invalidValue(String(value), allowed: allowed), codingPath: codingPath + [key])
        }
        return value
    }

    /// Decodes an optional string that must be the raw value of one of `T`'s cases (for library enums
    /// such as `CompatibilityProfile` whose synthesized decoding does not list the allowed values).
    func decodeChoiceIfPresent<T: RawRepresentable<String> & CaseIterable>(_ type: T.Type, forKey key: Key) throws -> T?
    {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError(.invalidValue(text, allowed: allowed), codingPath: codingPath + [key])
        }
        return value
    }

    /// Decodes a single string or a sequence of strings as a list.
    func decodeStringOrList(forKey key: Key) throws -> [String] {
        if let single = try? decode(String.self, forKey: key) { return [single] }
        return try decode([String].self, forKey: key)
    }
}
