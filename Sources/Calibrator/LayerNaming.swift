internal import TensorIO

/// Maps dataset paths to layers and roles, following the configuration's `naming` section and the
/// built-in conventions.
///
/// Built-in conventions (path without its leading `/`):
/// - weights file: `X.weight` / `X.bias` (PyTorch state-dict keys; `a/b.weight` → `a/b`),
///   `X/weight` / `X/bias`, Keras `X/kernel` / `X/bias` and `X/X/kernel:0` / `X/X/bias:0` (a repeated
///   last group collapses, a leading `model_weights/` is dropped) → layer `X`.
/// - ``layout``: the weights file's ``ModelLayout`` assignments, in place of the conventions above for the
///   datasets it names (see ``ModelLayoutDetector``; it also gives Keras kernels their output-channel axis).
/// - activation files: `X/input` → `X`; any other dataset `X` → `X` (the layer's recorded input).
public struct LayerNaming: Sendable {
    /// Where a dataset comes from.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// The weights file.
        case weights
        /// The activation files.
        case activations
    }

    /// The naming section this mapper follows.
    public let config: NamingConfig
    /// Assignments of weights datasets (absolute paths) from the file's ``ModelLayout``: used after the
    /// user's map and rules and in place of the built-in weight rules (when those are on).
    public var layout: [String: LayerAssignment] = [:]
    private let compiled: [CompiledRule]

    private struct CompiledRule: @unchecked Sendable {
        // Regex is immutable once built; it is only read here.
        var regex: Regex<AnyRegexOutput>
        var rule: NamingRule
    }

    /// A mapper for `config`.
    ///
    /// - Throws: ``ConfigError`` when a rule's pattern does not compile (key path `naming.rules[i].pattern`).
    public init(_ config: NamingConfig = NamingConfig()) throws(ConfigError) {
        self.config = config
        var compiled: [CompiledRule] = []
        for (index, rule) in config.rules.enumerated() {
            do {
                compiled.append(CompiledRule(regex: try Regex(rule.pattern), rule: rule))
            } catch {
                throw ConfigError(
                    .invalidValue(rule.pattern, allowed: "a regular expression (\(error))"),
                    at: [.key("naming"), .key("rules"), .index(index), .key("pattern")])
            }
        }
        self.compiled = compiled
    }

    /// The longest one match of a naming rule's pattern against a dataset name may take in
    /// ``map(weights:activations:)``: 2 seconds (a backtracking pattern like `(a+)+$` takes exponential
    /// time; a sane one microseconds).
    public static let matchTimeLimit: Double = 2

    /// The layer and role of dataset `path` from `origin`, or `nil` when no rule maps it.
    public func assignment(of path: String, from origin: Origin) -> LayerAssignment? {
        assignment(of: path, from: origin, clock: nil)
    }

    /// ``assignment(of:from:)``, reporting each rule match to `clock`.
    func assignment(of path: String, from origin: Origin, clock: MatchClock?) -> LayerAssignment? {
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if let explicit = config.map[path] ?? config.map[name] ?? config.map["/" + name],
            (explicit.role == .activation) == (origin == .activations)
        {
            return LayerAssignment(layer: explicit.layer, role: explicit.role)
        }
        for (index, entry) in compiled.enumerated() where (entry.rule.role == .activation) == (origin == .activations) {
            clock?.begin(rule: index, dataset: path, origin: origin)
            let matched = try? entry.regex.wholeMatch(in: name)
            clock?.end()
            guard let match = matched else { continue }
            let layer = Self.expand(entry.rule.layer, captures: match.output)
            if !layer.isEmpty { return LayerAssignment(layer: layer, role: entry.rule.role) }
        }
        guard config.builtinRules else { return nil }
        if origin == .weights, let assigned = layout["/" + name] { return assigned }
        return origin == .weights ? Self.builtinWeight(name) : Self.builtinActivation(name)
    }

    /// Maps every dataset of the weights file and of the activation files to layers.
    ///
    /// - Returns: the layers in natural name order (`fc2` before `fc10`), with warnings for datasets
    ///   that map to no layer and for biases without a weight.
    /// - Throws: ``LayerNamingError/duplicateRole(layer:role:datasets:)`` when two datasets claim the
    ///   same role of the same layer, ``LayerNamingError/invalidLayerName(layer:dataset:)`` for an empty
    ///   name or one with a control character, ``LayerNamingError/unmatchedLayers(weightsOnly:activationsOnly:)``
    ///   when weights and activations are both given, some layer has only one of them, and
    ///   `naming.unmatched` is `error` (otherwise a warning per layer).
    /// - Throws: ``LayerNamingError/slowPattern(rule:pattern:dataset:origin:)`` when one match of a rule's
    ///   pattern runs longer than ``matchTimeLimit``: the matching runs on a worker thread watched from the
    ///   calling thread, which then returns at once; the runaway match cannot be interrupted and goes on
    ///   on its thread (using one core) until it ends or the process exits.
    public func map(weights: [String], activations: [String]) throws(LayerNamingError) -> LayerMap {
        guard !compiled.isEmpty else { return try mapUnwatched(weights: weights, activations: activations, clock: nil) }
        let clock = MatchClock()
        let watched = self
        let started =
            (try? WorkerThread.start {
                let result = Result { () throws(LayerNamingError) in
                    try watched.mapUnwatched(weights: weights, activations: activations, clock: clock)
                }
                clock.finish(result)
            }) != nil
        guard started else { return try mapUnwatched(weights: weights, activations: activations, clock: nil) }
        switch clock.wait(limit: Self.matchTimeLimit) {
        case .finished(let result): return try result.get()
        case .overran(let rule, let dataset, let origin):
            throw .slowPattern(rule: rule, pattern: config.rules[rule].pattern, dataset: dataset, origin: origin)
        }
    }

    /// ``map(weights:activations:)`` on this thread, reporting matches to `clock`.
    private func mapUnwatched(
        weights: [String], activations: [String], clock: MatchClock?
    ) throws(LayerNamingError) -> LayerMap {
        var layers: [String: LayerDatasets] = [:]
        var claims: [LayerKey: [String]] = [:]
        var warnings: [LayerNamingWarning] = []
        for (origin, paths) in [(Origin.weights, weights), (.activations, activations)] {
            for path in paths {
                guard let assigned = assignment(of: path, from: origin, clock: clock) else {
                    warnings.append(.unmappedDataset(path, origin: origin))
                    continue
                }
                guard !assigned.layer.isEmpty, !assigned.layer.unicodeScalars.contains(where: Self.isControl) else {
                    throw .invalidLayerName(layer: assigned.layer, dataset: path, origin: origin)
                }
                claims[LayerKey(layer: assigned.layer, role: assigned.role), default: []].append(path)
                var entry = layers[assigned.layer] ?? LayerDatasets(layer: assigned.layer)
                entry[assigned.role] = path
                layers[assigned.layer] = entry
            }
        }
        let duplicates = claims.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        if let (key, paths) = duplicates.first {
            throw .duplicateRole(layer: key.layer, role: key.role, datasets: paths)
        }
        let ordered = layers.values.sorted { NaturalOrder.less($0.layer, $1.layer) }
        for layer in ordered where layer.weight == nil {
            if let bias = layer.bias { warnings.append(.biasWithoutWeight(layer: layer.layer, dataset: bias)) }
        }
        if !weights.isEmpty, !activations.isEmpty {
            // Layers with a weight (or bias) and no activation, or the reverse: names that differ between
            // the files. A warning each, or one error listing them all (naming.unmatched).
            var weightsOnly: [String] = []
            var activationsOnly: [String] = []
            var unmatched: [LayerNamingWarning] = []
            for layer in ordered {
                if layer.activation == nil, let dataset = layer.weight {  // a lone bias is warned about above
                    weightsOnly.append("\(dataset) (layer \(layer.layer))")
                    unmatched.append(.unmatchedLayer(layer: layer.layer, dataset: dataset, origin: .weights))
                } else if let dataset = layer.activation, layer.weight == nil, layer.bias == nil {
                    activationsOnly.append("\(dataset) (layer \(layer.layer))")
                    unmatched.append(.unmatchedLayer(layer: layer.layer, dataset: dataset, origin: .activations))
                }
            }
            if config.unmatched == .error, !unmatched.isEmpty {
                throw .unmatchedLayers(weightsOnly: weightsOnly, activationsOnly: activationsOnly)
            }
            warnings += unmatched
        }
        return LayerMap(layers: ordered, warnings: warnings)
    }

    /// Whether a scalar is a control character (C0, DEL, C1): never allowed in a layer name, which is
    /// written into the manifest, the summary table and messages.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `layer`/`role` for a built-in weights-file convention.
    static func builtinWeight(_ name: String) -> LayerAssignment? {
        var parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let last = parts.popLast() else { return nil }
        if parts.first == "model_weights" { parts.removeFirst() }
        let role: DatasetRole
        switch last {
        case "weight", "kernel", "kernel:0": role = .weight
        case "bias", "bias:0": role = .bias
        default:
            // PyTorch state-dict key `prefix.weight` / `prefix.bias` as the last path component.
            for (suffix, dotted) in [(".weight", DatasetRole.weight), (".bias", .bias)] where last.hasSuffix(suffix) {
                let stem = String(last.dropLast(suffix.count))
                guard !stem.isEmpty else { return nil }
                return LayerAssignment(layer: (parts + [stem]).joined(separator: "/"), role: dotted)
            }
            return nil
        }
        if parts.count >= 2, parts[parts.count - 1] == parts[parts.count - 2] { parts.removeLast() }
        guard !parts.isEmpty else { return nil }
        return LayerAssignment(layer: parts.joined(separator: "/"), role: role)
    }

    /// `layer` for a built-in activation-file convention.
    static func builtinActivation(_ name: String) -> LayerAssignment? {
        var layer = name
        if layer.hasSuffix("/input") { layer = String(layer.dropLast("/input".count)) }
        return layer.isEmpty ? nil : LayerAssignment(layer: layer, role: .activation)
    }

    /// Replaces `$0`...`$9` in `template` with the captures (an unmatched group inserts nothing).
    static func expand(_ template: String, captures: AnyRegexOutput) -> String {
        var result = ""
        var characters = template.makeIterator()
        while let c = characters.next() {
            guard c == "$" else {
                result.append(c)
                continue
            }
            guard let digit = characters.next() else {
                result.append(c)
                break
            }
            if let index = digit.wholeNumberValue, index < captures.count {
                if let text = captures[index].substring { result += text }
            } else {
                result.append(c)
                result.append(digit)
            }
        }
        return result
    }
}

/// The layer and role a dataset is assigned to.
public struct LayerAssignment: Sendable, Hashable, Codable {
    /// Layer name.
    public var layer: String
    /// Role in the layer.
    public var role: DatasetRole

    /// Creates an assignment.
    public init(layer: String, role: DatasetRole) {
        self.layer = layer
        self.role = role
    }
}

/// A (layer, role) pair, ordered by layer name (natural order) then role.
struct LayerKey: Hashable, Comparable {
    var layer: String
    var role: DatasetRole

    static func < (a: LayerKey, b: LayerKey) -> Bool {
        a.layer == b.layer ? a.role < b.role : NaturalOrder.less(a.layer, b.layer)
    }
}
