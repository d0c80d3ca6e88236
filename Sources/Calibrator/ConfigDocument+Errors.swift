internal import Foundation
internal import Yams

extension ConfigDocument {
    /// Every error of a well-formed document, up to ``ConfigError/reportLimit``: `first` with the others in
    /// ``ConfigError/further``, in the order decoding meets them.
    ///
    /// After each error at a key (an unknown key, a value of the wrong type or outside its domain, an
    /// unknown observer or bad observer options), that key is taken out of the document and it is decoded
    /// again; line numbers stay those of the original text. Collection stops at an error that taking out a
    /// key cannot get past (a syntax error, a missing required key, an error at a list element), and at an
    /// error at a key already taken out (a consequence of an earlier one).
    func collectingErrors(
        first: ConfigError, root: Node?, validate: (CalibrationConfig) throws(ConfigError) -> Void
    ) -> ConfigError {
        var result = first
        var removed: [[ConfigPathComponent]] = []
        var document = self
        var root = root
        var error = first
        while result.further.count + 1 < ConfigError.reportLimit {
            guard error.isAtRemovableKey, !removed.contains(error.path) else { break }
            removed.append(error.path)
            switch format {
            case .yaml:
                guard let current = root, let smaller = Self.removing(error.path[...], from: current) else {
                    return result
                }
                root = smaller
            case .json:
                guard let smaller = Self.removing(error.path[...], fromJSON: document.text) else { return result }
                document.text = smaller
            }
            do {
                _ = try document.decodeOnce(root: root, validate: validate)
                break
            } catch let next {
                guard !removed.contains(where: { next.path.starts(with: $0) }) else { break }
                if case .missingKey(let key) = next.reason, removed.contains(next.path + [.key(key)]) { break }
                var reported = next
                if format == .json {
                    // A location in the shortened text would mislead.
                    reported.line = nil
                    reported.column = nil
                }
                result.further.append(reported)
                error = next
            }
        }
        return result
    }

    /// `node` without the mapping member at `path`; `nil` when the path does not lead to one.
    static func removing(_ path: ArraySlice<ConfigPathComponent>, from node: Node) -> Node? {
        guard let first = path.first else { return nil }
        switch (first, node) {
        case (.key(let key), .mapping(var mapping)):
            guard let index = mapping.firstIndex(where: { $0.key.string == key }) else { return nil }
            if path.count == 1 {
                let pairs = mapping.indices.filter { $0 != index }.map { (mapping[$0].key, mapping[$0].value) }
                return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
            }
            guard let child = removing(path.dropFirst(), from: mapping[index].value) else { return nil }
            mapping[index] = (key: mapping[index].key, value: child)
            return .mapping(mapping)
        case (.index(let position), .sequence(var sequence)):
            guard sequence.indices.contains(position), let child = removing(path.dropFirst(), from: sequence[position])
            else { return nil }
            sequence[position] = child
            return .sequence(sequence)
        default:
            return nil
        }
    }

    /// The JSON text `text` without the object member at `path`, re-serialized; `nil` when the path does not
    /// lead to one.
    static func removing(_ path: ArraySlice<ConfigPathComponent>, fromJSON text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
            let smaller = removing(path, fromJSONObject: object),
            let data = try? JSONSerialization.data(withJSONObject: smaller, options: [.fragmentsAllowed])
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    private static func removing(_ path: ArraySlice<ConfigPathComponent>, fromJSONObject value: Any) -> Any? {
        guard let first = path.first else { return nil }
        switch first {
        case .key(let key):
            guard var object = value as? [String: Any], let member = object[key] else { return nil }
            if path.count == 1 {
                object[key] = nil
            } else {
                guard let child = removing(path.dropFirst(), fromJSONObject: member) else { return nil }
                object[key] = child
            }
            return object
        case .index(let position):
            guard var array = value as? [Any], array.indices.contains(position),
                let child = removing(path.dropFirst(), fromJSONObject: array[position])
            else { return nil }
            array[position] = child
            return array
        }
    }
}

extension ConfigError {
    /// The most errors one configuration reports at once.
    public static let reportLimit = 20

    /// Whether taking the key at ``path`` out of the document lets decoding go on past this error.
    var isAtRemovableKey: Bool {
        guard case .key? = path.last else { return false }
        switch reason {
        case .unknownKey, .wrongType, .invalidValue, .unknownObserver, .invalidObserverOptions: return true
        case .unreadable, .malformed, .missingKey: return false
        }
    }
}
