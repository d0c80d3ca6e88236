/// One step of a key path inside a configuration document: a mapping key or a sequence index.
public enum ConfigPathComponent: Sendable, Hashable, CustomStringConvertible {
    /// A key of a mapping.
    case key(String)
    /// A 0-based index into a sequence.
    case index(Int)

    /// Converts a `CodingKey` (an index when it has an integer value, as decoders use for arrays).
    init(_ key: any CodingKey) {
        if let index = key.intValue { self = .index(index) } else { self = .key(key.stringValue) }
    }

    /// `key` or `[index]`.
    public var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): "[\(index)]"
        }
    }

    /// `a.b[2].c`, or `(document)` for the empty path.
    static func format(_ path: [ConfigPathComponent]) -> String {
        guard !path.isEmpty else { return "(document)" }
        var text = ""
        for component in path {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index: text += component.description
            }
        }
        return text
    }
}
