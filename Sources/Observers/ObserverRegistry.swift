internal import Foundation
import JSON

/// Observers by name, each with typed options, so a config file can name any observer — built in or
/// registered by a user's package — and restore saved states of any known kind.
///
/// A name maps to a factory taking that name's options type (`Codable`), with defaults: a config's
/// options object is laid over the encoded defaults, checked for unknown keys, and decoded into the
/// typed options, once. Several names may build the same observer type (`histogram`, `percentile`,
/// `mse` and `entropy` are `HistogramObserver`s with a range method, see `registerHistogram`); saved
/// states are restored by `kind`.
///
/// A user's package registers its own observer:
///
///     var registry = ObserverRegistry.builtIn
///     try registry.register(name: "mean-std", summary: "mean ± k·σ", defaults: MeanStd.Options()) {
///         try MeanStd(options: $0)
///     }
///     let observer = try registry.makeObserver("mean-std", options: ["k": 3.0])
public struct ObserverRegistry: Sendable {
    /// One registered name.
    public struct Entry: Sendable {
        /// The name configs use.
        public let name: String
        /// One-line description.
        public let summary: String
        /// The `kind` of the observers it makes (what saved states record).
        public let kind: String
        /// The options with their defaults (documentation and validation).
        let defaults: JSONObject
        /// The option names this entry accepts, sorted.
        public var optionNames: [String] { defaults.keys.sorted() }
        let make: @Sendable (JSONValue) throws -> AnyObserver
    }

    private var entries: [String: Entry] = [:]
    private var restorers: [String: @Sendable (any Decoder) throws -> AnyObserver] = [:]

    /// An empty registry.
    public init() {}

    /// Registered names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The entry for `name`, if registered.
    public func entry(_ name: String) -> Entry? { entries[name] }

    /// Registers `name`, built by `make` from options of type `Options` (defaults `defaults`: the one
    /// place they are written). A ``PersistentObserver``'s kind is also registered for restoring saved
    /// states; another observer calibrates but its statistics cannot be saved.
    /// - Throws: `ObserverError.invalidOption` if the name is already taken.
    public mutating func register<Options: Codable & Sendable, O: Observer>(
        name: String, summary: String, defaults: Options, make: @escaping @Sendable (Options) throws -> O
    ) throws {
        guard entries[name] == nil else {
            throw ObserverError.invalidOption(
                kind: name, option: "name", reason: "an observer named '\(name)' is already registered")
        }
        let defaultValue = try Self.value(of: defaults).objectValue ?? [:]
        entries[name] = Entry(name: name, summary: summary, kind: O.kind, defaults: defaultValue) { given in
            let options: Options = try Self.decodeOptions(given, defaults: defaultValue, name: name)
            return AnyObserver(try make(options))
        }
        if let persistent = O.self as? any PersistentObserver.Type { registerKind(persistent) }
    }

    /// Registers an observer type's `kind` for restoring saved states (done by `register`).
    public mutating func registerKind<O: PersistentObserver>(_ type: O.Type) {
        restorers[O.kind] = { decoder in AnyObserver(try O(snapshot: ObserverSnapshot<O>(from: decoder))) }
    }

    /// A fresh observer for `name` with its default options.
    public func makeObserver(_ name: String) throws -> AnyObserver {
        try makeObserver(name, options: JSONValue.object([:]))
    }

    /// A fresh observer for `name` with `options`: any value that encodes as an object (a config's
    /// JSON/YAML mapping, a dictionary, a struct); missing keys take their defaults, `null` means all
    /// defaults.
    /// - Throws: `ObserverError.invalidOption` naming the unknown observer (and the known ones), an
    ///   unknown option key (and the allowed ones), or a value of the wrong type or out of range.
    public func makeObserver(_ name: String, options: some Encodable) throws -> AnyObserver {
        guard let e = entries[name] else {
            throw ObserverError.invalidOption(
                kind: name, option: "observer", reason: "unknown observer; known: \(names.joined(separator: ", "))")
        }
        let value: JSONValue
        do {
            value = try Self.value(of: options)
        } catch {
            throw ObserverError.invalidOption(
                kind: name, option: "options", reason: "not a JSON-shaped value: \(error)")
        }
        return try e.make(value)
    }

    /// Restores a saved observer (an `ObserverSnapshot` of a registered kind) from `decoder`.
    public func restore(from decoder: any Decoder) throws -> AnyObserver {
        struct Header: Decodable { var kind: String }
        let kind = try Header(from: decoder).kind
        guard let r = restorers[kind] else {
            throw ObserverError.invalidState(
                kind: kind, reason: "unknown observer kind; known: \(restorers.keys.sorted().joined(separator: ", "))")
        }
        return try r(decoder)
    }

    static func value(of options: some Encodable) throws -> JSONValue {
        try JSONValue(encoding: options)
    }

    /// The options `given` over `defaults` (top-level keys replaced), decoded as `Options`.
    static func decodeOptions<Options: Decodable>(_ given: JSONValue, defaults: JSONObject, name: String) throws
        -> Options
    {
        if given == .null { return try decode(defaults, name: name) }
        guard case .object(let o) = given else {
            throw ObserverError.invalidOption(kind: name, option: "options", reason: "must be an object")
        }
        let allowed = Set(defaults.keys)
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ObserverError.invalidOption(
                kind: name, option: unknown,
                reason: "unknown option; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        var merged = defaults
        for (key, value) in o { merged[key] = value }
        return try decode(merged, name: name)
    }

    /// `options` decoded as `Options`; a number without a fraction (`2048.0`) also reads as an integer.
    static func decode<Options: Decodable>(_ options: JSONObject, name: String) throws -> Options {
        do {
            return try JSONValue.object(options).integralNumbersAsInts.decode(as: Options.self)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx),
            let DecodingError.dataCorrupted(ctx)
        {
            throw ObserverError.invalidOption(
                kind: name, option: ctx.codingPath.map(\.stringValue).joined(separator: "."),
                reason: ctx.debugDescription)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ObserverError.invalidOption(
                kind: name, option: (ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."),
                reason: "missing")
        }
    }
}

extension JSONValue {
    /// `self` with every number that has no fraction (and |x| < 9·10¹⁵, exact in a Double) as an integer,
    /// so options written `2048.0` decode into integer fields as `2048` does.
    fileprivate var integralNumbersAsInts: JSONValue {
        switch self {
        case .double(let x) where x == x.rounded() && abs(x) < 9.0e15: .int(Int(x))
        case .array(let values): .array(values.map(\.integralNumbersAsInts))
        case .object(let members): .object(JSONObject(members.map { ($0.key, $0.value.integralNumbersAsInts) }))
        default: self
        }
    }
}
