/// A statistic collector that turns streamed batches of a tensor into calibrated ranges.
///
/// Contract:
/// - `observe` takes one batch: a contiguous row-major Float32 buffer and its shape `[rows, …]`.
///   Batches may be any split of the tensor's rows (per tensor, and per channel along an axis
///   other than 0); see `ParameterLayout.observing` for what must stay fixed between batches.
/// - `merge` folds in another observer of the same type and options. For the min-max and histogram
///   observers the result is exactly the state of one observer that saw both inputs, in any order
///   and split (their `state`s compare equal). `mergeIsExact` says whether that holds: multi-threaded
///   calibration splits a dataset's batches over workers and merges their observers only when it
///   does, and streams the others' batches in read order.
/// - `state` is the complete, `Codable` statistic; `init(options:state:)` restores it. A saved
///   snapshot carries `kind` and `stateVersion` (see `ObserverSnapshot`).
/// - `ranges(for:)` produces the calibrated per-slot ranges for a target grid; the target matters
///   for the searching observers (MSE, entropy).
///
/// Generic code should take `<O: Observer>`; `AnyObserver` is the type-erased box for
/// heterogeneous collections (its cost is one dynamic dispatch per batch, never per element).
public protocol Observer: Sendable {
    /// The observer's options (documented per observer; `Codable` so configs can carry them).
    associatedtype Options: Codable & Sendable & Equatable
    /// The observer's complete statistic.
    associatedtype State: Codable & Sendable & Equatable

    /// Stable name of the statistic, written into saved states (e.g. `"minmax"`, `"histogram"`).
    static var kind: String { get }
    /// Version of `State`'s encoding; restoring a newer version fails with a clear error.
    static var stateVersion: Int { get }
    /// Whether `merge` is exact: observing any split of the batches into several observers, in any
    /// order, and merging them gives the state of one observer that saw every batch in read order
    /// (default `true`). Declare `false` when the statistic depends on the batch order or the merge
    /// approximates (e.g. a moving average): such observers then always see the batches in read order.
    static var mergeIsExact: Bool { get }

    /// The options this observer was created with.
    var options: Options { get }
    /// The complete statistic.
    var state: State { get }

    /// A fresh observer.
    init(options: Options) throws
    /// An observer restored from a saved state.
    init(options: Options, state: State) throws

    /// Observes one batch: `batch.count` must equal the product of `shape`.
    mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws
    /// Folds in another observer of the same kind and options.
    mutating func merge(_ other: Self) throws
    /// The calibrated per-slot ranges for `target`.
    func ranges(for target: RangeTarget) throws -> ObservedRanges
}

extension Observer {
    /// `true`: merges are exact unless an observer declares otherwise.
    public static var mergeIsExact: Bool { true }

    /// Observes a batch held in an array.
    public mutating func observe(_ batch: [Float], shape: [Int]) throws {
        try batch.withUnsafeBufferPointer { try observe($0, shape: shape) }
    }

    /// Observes a 1-D batch (shape `[count]`).
    public mutating func observe(_ batch: [Float]) throws {
        try observe(batch, shape: [batch.count])
    }

    /// The calibrated ranges for the default target (signed 8-bit symmetric).
    public func ranges() throws -> ObservedRanges {
        try ranges(for: .int8Symmetric)
    }

    /// A versioned, self-describing snapshot of this observer (`kind`, `version`, options, state).
    public var snapshot: ObserverSnapshot<Self> {
        ObserverSnapshot(kind: Self.kind, version: Self.stateVersion, options: options, state: state)
    }

    /// Restores an observer from a snapshot, checking its kind and version.
    public init(snapshot: ObserverSnapshot<Self>) throws {
        guard snapshot.kind == Self.kind else {
            throw ObserverError.invalidState(kind: Self.kind, reason: "snapshot is of kind '\(snapshot.kind)'")
        }
        guard snapshot.version >= 1, snapshot.version <= Self.stateVersion else {
            throw ObserverError.invalidState(
                kind: Self.kind, reason: "state version \(snapshot.version) is not supported (this build reads 1…\(Self.stateVersion))")
        }
        try self.init(options: snapshot.options, state: snapshot.state)
    }
}

/// The saved form of one observer: `{"kind", "version", "options", "state"}`.
public struct ObserverSnapshot<O: Observer>: Codable, Sendable, Equatable {
    /// `O.kind` at save time.
    public var kind: String
    /// `O.stateVersion` at save time.
    public var version: Int
    /// The observer's options.
    public var options: O.Options
    /// The observer's statistic.
    public var state: O.State

    /// Creates a snapshot from its parts.
    public init(kind: String, version: Int, options: O.Options, state: O.State) {
        self.kind = kind
        self.version = version
        self.options = options
        self.state = state
    }
}
