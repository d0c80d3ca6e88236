public import Calibrator
public import JSON

extension LayerPolicy {
    /// The layer's `policy` record in a manifest: the policy's `Codable` encoding with every key in
    /// snake_case (`auto_margin`, `group_size`, `applied_overrides`), like the rest of the manifest's own
    /// keys (format version 2). Observer `options` are kept as configured: their keys are the observer's.
    /// `nil` only if the policy does not encode (it always does: strings, numbers and flags).
    public var manifestRecord: JSONValue? {
        (try? JSONValue(encoding: self)).map(Self.snakeCased)
    }

    /// `value` with the keys of its objects in snake_case, except below an `options` key.
    static func snakeCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map(snakeCased))
        case .object(let object):
            return .object(
                JSONObject(
                    object.map { key, member in (snakeCase(key), key == "options" ? member : snakeCased(member)) }))
        default:
            return value
        }
    }

    /// `camelCase` → `camel_case`; an acronym stays one word (`tensorsSHA256` → `tensors_sha256`).
    static func snakeCase(_ key: String) -> String {
        let characters = Array(key)
        var out = ""
        for (i, c) in characters.enumerated() {
            if c.isUppercase, i > 0 {
                let previous = characters[i - 1]
                let nextIsLower = i + 1 < characters.count && characters[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }
}
