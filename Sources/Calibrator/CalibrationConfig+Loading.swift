internal import Foundation
internal import Observers
internal import Yams

extension CalibrationConfig {
    /// Reads, decodes and validates the configuration file at `path` (YAML or JSON, see
    /// ``ConfigFormat/detect(path:text:)``).
    ///
    /// - Parameters:
    ///   - path: the configuration file.
    ///   - observerNames: the registered observer names to check `observer` keys against
    ///     (`nil` skips the check).
    /// - Returns: the validated configuration.
    /// - Throws: ``ConfigError`` with the file, the key path and, when known, the line and column.
    public static func load(contentsOf path: String, observerNames: [String]? = nil) throws(ConfigError)
        -> CalibrationConfig
    {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigError(.unreadable("not UTF-8 text"), file: path)
            }
            text = decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(.unreadable(error.localizedDescription), file: path)
        }
        return try parse(
            text, format: ConfigFormat.detect(path: path, text: text), file: path, observerNames: observerNames)
    }

    /// Decodes and validates a configuration from its text.
    ///
    /// - Parameters:
    ///   - text: the configuration's YAML or JSON text.
    ///   - format: the syntax (default: detected from the content).
    ///   - file: the name used in error messages.
    ///   - observerNames: the registered observer names (`nil` skips the check).
    /// - Returns: the validated configuration.
    /// - Throws: ``ConfigError`` with the file, the key path and, when known, the line and column.
    public static func parse(
        _ text: String, format: ConfigFormat? = nil, file: String? = nil, observerNames: [String]? = nil
    ) throws(ConfigError) -> CalibrationConfig {
        let document = ConfigDocument(
            text: text, format: format ?? ConfigFormat.detect(path: nil, text: text), file: file)
        return try document.decode { config throws(ConfigError) in
            try config.validate(observerNames: observerNames)
            if observerNames != nil { try config.validateBuiltInObserverOptions() }
        }
    }

    /// Checks the options of every built-in observer the configuration names (`percentile: 0`, ...), so
    /// that the error carries the file and line; user observers are checked by ``Calibrator``.
    func validateBuiltInObserverOptions() throws(ConfigError) {
        let registry = ObserverRegistry.builtIn
        for (spec, path) in observerSpecs where registry.entry(spec.name) != nil {
            do {
                _ = try registry.makeObserver(spec, granularity: .perTensor, nonFinite: nanPolicy.observerPolicy)
            } catch {
                throw ConfigError(
                    .invalidObserverOptions(observer: spec.name, reason: "\(error)"), at: path + [.key("options")])
            }
        }
    }
}

/// The text of a configuration being decoded, able to place an error on a line.
struct ConfigDocument {
    var text: String
    var format: ConfigFormat
    var file: String?

    /// Decodes the document and runs `validate` on the result, turning every failure into a located
    /// ``ConfigError``; when the document is well-formed, up to ``ConfigError/reportLimit`` of its errors in
    /// one (see ``collectingErrors(first:root:validate:)``).
    func decode(validate: (CalibrationConfig) throws(ConfigError) -> Void) throws(ConfigError) -> CalibrationConfig {
        var root: Node?
        do {
            if format == .yaml {
                root = try Yams.compose(yaml: text)
                if let root { try YAMLExpansionLimit.check(root) }
            }
        } catch {
            throw located(Self.configError(from: error), root: root)
        }
        do {
            return try decodeOnce(root: root, validate: validate)
        } catch {
            throw collectingErrors(first: error, root: root, validate: validate)
        }
    }

    /// One decoding of the document (`root`: the composed YAML, for YAML), validated.
    func decodeOnce(
        root: Node?, validate: (CalibrationConfig) throws(ConfigError) -> Void
    ) throws(ConfigError) -> CalibrationConfig {
        do {
            let config: CalibrationConfig
            switch format {
            case .yaml:
                config = try YAMLDecoder().decode(CalibrationConfig.self, from: root ?? Node.mapping(Node.Mapping([])))
            case .json:
                // What Foundation's parser accepts but RFC 8259 does not; a syntax error is the parser's to report.
                if (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil {
                    try StrictJSON.check(text)
                }
                do {
                    config = try JSONDecoder().decode(CalibrationConfig.self, from: Data(text.utf8))
                } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                    throw jsonSyntaxError(fallback: context.debugDescription)
                }
            }
            try validate(config)
            return config
        } catch {
            throw located(Self.configError(from: error), root: root)
        }
    }

    /// `error` with this document's file name and the line/column of the node at its key path (or of
    /// the nearest enclosing node present in the document).
    func located(_ error: ConfigError, root: Node?) -> ConfigError {
        var error = error
        error.file = error.file ?? file
        if error.line == nil, let root {
            var node = root
            var mark = root.mark
            for component in error.path {
                let next: Node?
                switch component {
                case .key(let key): next = node.mapping?[key]
                case .index(let index):
                    next = node.sequence.flatMap { index < $0.count ? $0[index] : nil }
                }
                guard let next else { break }
                node = next
                mark = next.mark ?? mark
            }
            error.line = mark?.line
            error.column = mark?.column
        }
        return error
    }

    /// The JSON syntax error with its line and column: Foundation's `JSONDecoder` does not say where,
    /// `JSONSerialization` reports the byte offset ("around character N"), converted here.
    func jsonSyntaxError(fallback: String) -> ConfigError {
        let bytes = Data(text.utf8)
        var message = fallback
        do {
            _ = try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
        } catch {
            message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? message
        }
        var located = ConfigError(.malformed(message))
        if let match = message.firstMatch(of: /character (\d+)/), let offset = Int(match.1), offset <= bytes.count {
            let prefix = bytes.prefix(offset)
            let line = prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            let lineStart = prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            located.line = line
            located.column = String(decoding: prefix[lineStart...], as: UTF8.self).unicodeScalars.count + 1
        }
        return located
    }

    /// Translates a parser or decoder failure into a ``ConfigError`` (without location).
    static func configError(from error: any Error) -> ConfigError {
        switch error {
        case let error as ConfigError:
            return error
        case let error as YamlError:
            return yamlError(error)
        case let error as DecodingError:
            return decodingError(error)
        default:
            return ConfigError(.malformed(String(describing: error)))
        }
    }

    private static func yamlError(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return ConfigError(.malformed(text), line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                .malformed("duplicated keys \(duplicates.joined(separator: ", "))"),
                line: context.mark.line, column: context.mark.column)
        default:
            return ConfigError(.malformed(error.description))
        }
    }

    private static func decodingError(_ error: DecodingError) -> ConfigError {
        switch error {
        case .typeMismatch(let type, let context):
            return ConfigError(.wrongType(expected: typeName(type)), codingPath: context.codingPath)
        case .valueNotFound(let type, let context):
            return ConfigError(.wrongType(expected: typeName(type)), codingPath: context.codingPath)
        case .keyNotFound(let key, let context):
            return ConfigError(.missingKey(key.stringValue), codingPath: context.codingPath)
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { String(describing: $0) } ?? context.debugDescription
            return ConfigError(.malformed(underlying), codingPath: context.codingPath)
        @unknown default:
            return ConfigError(.malformed(String(describing: error)))
        }
    }

    /// "an integer", "a mapping", ... for the Swift type a decoder wanted.
    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean (true or false)"
        case is [Any].Type, is [String].Type: "a sequence"
        default:
            switch String(describing: type) {
            case let name where name.hasPrefix("Dictionary") || name == "Mapping": "a mapping"
            case let name where name.hasPrefix("Array") || name == "Sequence": "a sequence"
            case let name: name
            }
        }
    }
}
