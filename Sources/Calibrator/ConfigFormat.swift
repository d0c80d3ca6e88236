/// The syntax of a configuration file.
public enum ConfigFormat: String, Sendable, Hashable, CaseIterable {
    /// YAML 1.2 (read with Yams).
    case yaml
    /// JSON (read with Foundation's `JSONDecoder`).
    case json

    /// The format for a file: by extension (`.yaml`/`.yml`, `.json`), otherwise by content (a document
    /// whose first non-blank character is `{` or `[` is JSON, anything else YAML).
    public static func detect(path: String?, text: String) -> ConfigFormat {
        let lower = path?.lowercased() ?? ""
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
        if lower.hasSuffix(".json") { return .json }
        let first = text.unicodeScalars.first { !" \t\r\n\u{FEFF}".unicodeScalars.contains($0) }
        return first == "{" || first == "[" ? .json : .yaml
    }
}
