/// A configuration file that cannot be used: where (file, key path, line) and why.
///
/// Every problem found while reading or validating a ``CalibrationConfig`` is one of these. The
/// ``keyPath`` names the offending key in the document (`overrides[1].weights.bits`); ``line`` and
/// ``column`` are filled in when the parser knows them (YAML always, JSON for syntax errors).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Sendable, Equatable {
        /// The file cannot be read (missing, unreadable, not UTF-8).
        case unreadable(String)
        /// The text is not well-formed YAML or JSON; the payload is the parser's message.
        case malformed(String)
        /// A key that the section does not define; `allowed` lists the keys it does.
        case unknownKey(String, allowed: [String])
        /// A required key is absent.
        case missingKey(String)
        /// The value has the wrong type (`expected` names the type wanted).
        case wrongType(expected: String)
        /// The value has the right type but is outside its domain; `allowed` describes the domain
        /// (`"2...16"`, `"symmetric, asymmetric, auto"`).
        case invalidValue(String, allowed: String)
        /// No observer of this name is registered; `known` lists the registered names.
        case unknownObserver(String, known: [String])
        /// The observer rejected its options (the payload is its message).
        case invalidObserverOptions(observer: String, reason: String)
    }

    /// What is wrong.
    public var reason: Reason
    /// Path of the offending key from the document root (`[]` for the document itself).
    public var path: [ConfigPathComponent]
    /// The file the configuration came from, when it came from a file.
    public var file: String?
    /// 1-based line of the offending node, when known.
    public var line: Int?
    /// 1-based column of the offending node, when known.
    public var column: Int?
    /// The document's other errors, when there are several (at most ``reportLimit`` in all), each with its
    /// own location; empty for one error.
    public var further: [ConfigError] = []

    /// Creates an error at `path`.
    public init(
        _ reason: Reason, at path: [ConfigPathComponent] = [], file: String? = nil, line: Int? = nil, column: Int? = nil
    ) {
        self.reason = reason
        self.path = path
        self.file = file
        self.line = line
        self.column = column
    }

    /// Creates an error at a decoder's coding path.
    init(_ reason: Reason, codingPath: [any CodingKey]) {
        self.init(reason, at: codingPath.map(ConfigPathComponent.init))
    }

    /// The key path as written in messages: `overrides[1].weights.bits`, or `(document)` for the root.
    public var keyPath: String { ConfigPathComponent.format(path) }

    /// One line per error: `file:line:column: key.path: cause`, then each of ``further`` on its own line,
    /// and a last line counting them when there are several.
    public var description: String {
        guard !further.isEmpty else { return singleLine }
        let count = further.count + 1
        let total = count >= Self.reportLimit ? "the first \(count) errors" : "\(count) errors"
        return ([singleLine] + further.map(\.singleLine)).joined(separator: "\n") + "\n\(file ?? "config"): \(total)"
    }

    /// This error alone, on one line.
    var singleLine: String {
        var location = file ?? "config"
        if let line = self.line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(keyPath): \(reason)"
    }
}

extension ConfigError.Reason: CustomStringConvertible {
    /// The cause in words, naming the allowed values where there is a closed set.
    public var description: String {
        switch self {
        case .unreadable(let why): "cannot read the configuration: \(why)"
        case .malformed(let why): "malformed configuration: \(why)"
        case .unknownKey(let key, let allowed): "unknown key '\(key)' (allowed: \(allowed.joined(separator: ", ")))"
        case .missingKey(let key): "missing required key '\(key)'"
        case .wrongType(let expected): "wrong type: expected \(expected)"
        case .invalidValue(let value, let allowed): "invalid value '\(value)' (allowed: \(allowed))"
        case .unknownObserver(let name, let known):
            "unknown observer '\(name)' (registered: \(known.joined(separator: ", ")))"
        case .invalidObserverOptions(let observer, let why): "invalid options for observer '\(observer)': \(why)"
        }
    }
}
