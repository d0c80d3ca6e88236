/// A JSON document rendered as Python's `json.dump(value, f, indent=4, sort_keys=True)` renders it (the
/// form AIMET writes its `.encodings` files in): members sorted by key, four-space indentation, `", "`
/// free separators (`","` at line ends, `": "` after keys), floats as `repr(float)`, `[]`/`{}` when empty.
indirect enum PythonJSONValue: Sendable, Hashable {
    /// A JSON object; rendered with its keys sorted.
    case object([String: PythonJSONValue])
    /// A JSON array.
    case array([PythonJSONValue])
    /// A string.
    case string(String)
    /// An integer (Python `int`).
    case int(Int)
    /// A float (Python `float`, always written with a `.` or exponent).
    case float(Double)
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)

    /// The compact rendering (`json.dumps(value, separators=(",", ":"), sort_keys=True)`).
    func compact() -> String {
        switch self {
        case .object(let members):
            let keys = members.keys.sorted {
                $0.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.unicodeScalars.map(\.value))
            }
            return "{"
                + keys.map { PythonLiteral.string($0) + ":" + (members[$0] ?? .object([:])).compact() }
                .joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map { $0.compact() }.joined(separator: ",") + "]"
        default: return rendered()
        }
    }

    /// The rendering, without a final newline (as `json.dump` writes it).
    func rendered(indent level: Int = 0) -> String {
        let inner = String(repeating: " ", count: 4 * (level + 1))
        let outer = String(repeating: " ", count: 4 * level)
        switch self {
        case .object(let members):
            if members.isEmpty { return "{}" }
            let keys = members.keys.sorted {
                $0.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.unicodeScalars.map(\.value))
            }
            let body = keys.map { key in
                inner + PythonLiteral.string(key) + ": " + (members[key] ?? .object([:])).rendered(indent: level + 1)
            }
            return "{\n" + body.joined(separator: ",\n") + "\n" + outer + "}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: level + 1) }.joined(separator: ",\n") + "\n" + outer
                + "]"
        case .string(let text): return PythonLiteral.string(text)
        case .int(let value): return String(value)
        case .float(let value): return PythonLiteral.float(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }
}
