public import QuantCore

/// A type-erased observer, for heterogeneous collections (one observer per layer, chosen by a
/// config). Each call opens the existential once per batch, never per element.
///
/// Encodes as the wrapped `PersistentObserver`'s `ObserverSnapshot` (`kind`, `version`, `options`,
/// `state`); decoding looks the kind up in the `ObserverRegistry` found in the decoder's
/// `userInfo[.observerRegistry]` (the built-in registry when absent).
public struct AnyObserver: Sendable {
    /// The wrapped observer.
    public private(set) var base: any Observer

    /// Wraps an observer.
    public init<O: Observer>(_ observer: O) {
        base = observer
    }

    /// The wrapped observer's `kind`.
    public var kind: String { type(of: base).kind }

    /// The wrapped observer's `mergeIsExact`.
    public var mergeIsExact: Bool { type(of: base).mergeIsExact }

    /// Observes one batch (see `Observer.observe`).
    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        try base.observe(batch, shape: shape)
    }

    /// Observes a batch held in an array.
    public mutating func observe(_ batch: [Float], shape: [Int]) throws {
        try batch.withUnsafeBufferPointer { try base.observe($0, shape: shape) }
    }

    /// Merges another observer of the same type and options.
    /// - Throws: `ObserverError.mergeMismatch` if `other` wraps another type.
    public mutating func merge(_ other: AnyObserver) throws {
        func open<O: Observer>(_ mine: inout O, _ theirs: any Observer) throws {
            guard let t = theirs as? O else {
                throw ObserverError.mergeMismatch(
                    kind: O.kind, reason: "other observer is of kind '\(type(of: theirs).kind)'")
            }
            try mine.merge(t)
        }
        try open(&base, other.base)
    }

    /// The calibrated ranges for `target`.
    public func ranges(for target: RangeTarget) throws -> ObservedRanges {
        try base.ranges(for: target)
    }

    /// Quantization parameters for `scheme` (see `Observer.parameters(for:shape:)`).
    public func parameters(
        for scheme: AffineScheme, shape: [Int]? = nil
    ) throws -> QuantizationParameters {
        try base.parameters(for: scheme, shape: shape)
    }

    /// The wrapped observer as `O`, if it is one.
    public func unwrap<O: Observer>(as type: O.Type = O.self) -> O? {
        base as? O
    }
}

extension AnyObserver: Codable {
    /// Encodes the wrapped observer's snapshot.
    /// - Throws: `EncodingError.invalidValue` if the observer is not a ``PersistentObserver``.
    public func encode(to encoder: any Encoder) throws {
        guard let persistent = base as? any PersistentObserver else {
            let context = EncodingError.Context(
                codingPath: encoder.codingPath, debugDescription: "observer kind '\(kind)' keeps no saved state")
            throw EncodingError.invalidValue(base, context)
        }
        func open<O: PersistentObserver>(_ o: O) throws { try o.snapshot.encode(to: encoder) }
        try open(persistent)
    }

    /// Decodes a snapshot of any kind known to the registry in `userInfo[.observerRegistry]`.
    public init(from decoder: any Decoder) throws {
        let registry = decoder.userInfo[.observerRegistry] as? ObserverRegistry ?? .builtIn
        self = try registry.restore(from: decoder)
    }
}

extension CodingUserInfoKey {
    // The initializer is failable in signature only: a constant key string never makes it nil.
    // swift-format-ignore: NeverForceUnwrap
    /// Where `AnyObserver` decoding finds the `ObserverRegistry` that knows the saved kinds.
    public static let observerRegistry = CodingUserInfoKey(rawValue: "ptqkit.observerRegistry")!
}

extension AnyObserver {
    /// This observer's statistic under `template`'s options: re-calibrate saved statistics with
    /// another method or options (e.g. a saved `histogram` state as `entropy`, or with other
    /// percentile options), without the tensors.
    /// - Throws: `ObserverError.mergeMismatch` if `template` is another observer type,
    ///   `ObserverError.invalidState` if its options describe another statistic (granularity, bins) or
    ///   it is not a ``PersistentObserver``.
    public func withOptions(of template: AnyObserver) throws -> AnyObserver {
        guard let persistent = template.base as? any PersistentObserver else {
            throw ObserverError.invalidState(kind: template.kind, reason: "the observer keeps no saved state")
        }
        return AnyObserver(try persistent.adoptingState(of: base))
    }
}
