internal import Yams

/// The bound on a YAML configuration's size after alias expansion.
///
/// YAML aliases (`*a`) refer to an anchored node (`&a`) without copying it, so a few hundred bytes of
/// nested aliases ("billion laughs") stand for an exponential number of nodes; decoding a free-form
/// section (`observer.options`) would expand them all, in time and memory. Yams composes the document
/// with aliases shared, so counting the nodes as they would be expanded — and stopping at the bound —
/// costs at most ``maximumNodes`` steps.
enum YAMLExpansionLimit {
    /// The most nodes (scalars, mappings, sequences, each key and value counted) a configuration may
    /// expand to: 100 000, some hundred times the largest configuration shipped.
    static let maximumNodes = 100_000

    /// Throws when `root` expands to more than ``maximumNodes`` nodes.
    ///
    /// - Throws: ``ConfigError/Reason/malformed(_:)`` at the key path (its first four steps) where the
    ///   count passed the bound.
    static func check(_ root: Node) throws(ConfigError) {
        var stack: [(node: Node, path: [ConfigPathComponent])] = [(root, [])]
        var count = 0
        while let (node, path) = stack.popLast() {
            count += 1
            if count > maximumNodes {
                throw ConfigError(
                    .malformed("the document expands to more than \(maximumNodes) nodes (nested YAML aliases?)"),
                    at: Array(path.prefix(4)))
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() {
                    count += 1
                    stack.append((value, path + [.key(key.string ?? "\(key)")]))
                }
            case .sequence(let sequence):
                for (index, element) in sequence.enumerated().reversed() {
                    stack.append((element, path + [.index(index)]))
                }
            case .scalar, .alias:
                break
            }
        }
    }
}
