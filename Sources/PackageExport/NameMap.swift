import Foundation
import Yams

/// `--names MAP`: PTQKit layer names → the consumer's tensor names, from a JSON or YAML file holding one
/// flat mapping of strings to strings (JSON is read as YAML, of which it is a subset).
///
/// Invariants: keys are unique, targets are unique (two layers never share one consumer tensor), no name
/// is empty. A key that is not an exported name of the package (a layer, or for AIMET a quantized tensor's dataset path) is an error (``ExportError/invalidNames(path:reason:)``);
/// an exported layer without a key keeps its PTQKit name and is listed in ``ExportReport/unmapped``.
public struct NameMap: Sendable, Hashable {
    /// The file the map came from (for messages), or `nil` when built in code.
    public var path: String?
    /// PTQKit layer name → target tensor name.
    public var targets: [String: String]

    /// A map built in code.
    public init(_ targets: [String: String], path: String? = nil) {
        self.targets = targets
        self.path = path
    }

    /// Reads and checks the map at `path`.
    /// - Throws: ``ExportError/namesFileUnreadable(path:reason:)`` or ``ExportError/invalidNames(path:reason:)``.
    public init(contentsOf path: String) throws(ExportError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .namesFileUnreadable(path: path, reason: exists ? "it cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidNames(path: path, reason: "not UTF-8 text")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            let first = "\(error)".split(separator: "\n").prefix(1).joined()
            throw .invalidNames(path: path, reason: "not JSON or YAML: \(first)")
        }
        guard let mapping = root?.mapping else {
            throw .invalidNames(path: path, reason: "expected one mapping of PTQKit layer names to target names")
        }
        var targets: [String: String] = [:]
        var owners: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let target = value.scalar?.string else {
                let line = key.mark.map { " (line \($0.line))" } ?? ""
                throw .invalidNames(path: path, reason: "every entry must map a name to a name\(line)")
            }
            // A number, boolean or null (`fc1: 12`, `{"fc1": true}`) is not a tensor name, even though YAML
            // gives its text: the user meant something else (or must quote it).
            for node in [key, value] where node.tag.description != "tag:yaml.org,2002:str" {
                let line = node.mark.map { " (line \($0.line))" } ?? ""
                let type = node.tag.description.split(separator: ":").last ?? ""
                throw .invalidNames(
                    path: path,
                    reason: "'\(node.scalar?.string ?? "")' reads as YAML \(type) "
                        + "value, not a name\(line); quote it if it is meant as a name")
            }
            guard !name.isEmpty, !target.isEmpty else {
                throw .invalidNames(path: path, reason: "empty name in entry '\(name)': '\(target)'")
            }
            guard targets[name] == nil else { throw .invalidNames(path: path, reason: "'\(name)' is mapped twice") }
            if let other = owners[target] {
                throw .invalidNames(path: path, reason: "'\(other)' and '\(name)' both map to '\(target)'")
            }
            targets[name] = target
            owners[target] = name
        }
        self.init(targets, path: path)
    }

    /// The target names of `sources` (in order; a source the map does not name gets its fallback) and the
    /// sources the map does not name.
    /// - Throws: ``ExportError/invalidNames(path:reason:)`` when a key of the map is not among `sources`
    ///   (`inert` says which of them are names of the package with nothing to export), or when two sources
    ///   would get the same target name.
    func apply(to sources: [(source: String, fallback: String)], inert: Set<String>) throws(ExportError) -> (
        names: [String], unmapped: [String]
    ) {
        let mapPath = path ?? "--names"
        let exported = Set(sources.map(\.source))
        let unknown = targets.keys.filter { !exported.contains($0) }.sorted()
        if !unknown.isEmpty {
            let described = unknown.map { inert.contains($0) ? "'\($0)' (nothing to export)" : "'\($0)'" }
            throw .invalidNames(
                path: mapPath,
                reason: "not an exported name of the package: \(described.joined(separator: ", ")); "
                    + "exported: \(sources.map(\.source).joined(separator: ", "))")
        }
        let names = sources.map { targets[$0.source] ?? $0.fallback }
        var seen: [String: String] = [:]
        for (source, name) in zip(sources.map(\.source), names) {
            if let other = seen[name] {
                throw .invalidNames(path: mapPath, reason: "'\(other)' and '\(source)' would both be named '\(name)'")
            }
            seen[name] = source
        }
        return (names, sources.map(\.source).filter { targets[$0] == nil })
    }
}
