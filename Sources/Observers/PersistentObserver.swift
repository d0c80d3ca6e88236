/// An observer whose statistic can be saved and restored: typed options and a `Codable` state.
///
/// What it adds to ``Observer``:
/// - `state` is the complete statistic and `init(options:state:)` restores it, checking that the
///   state fits the options (granularity, bins, …); a restored observer continues exactly where the
///   saved one stopped;
/// - `stateVersion` numbers the encoding of `State` (default 1); a saved snapshot records it with
///   `kind` (``ObserverSnapshot``), and restoring a newer version fails with a clear error.
///
/// What it enables: `.ptqstats` files (``AnyObserver`` encodes as the snapshot), calibrating from
/// saved statistics, and re-calibrating a state under other options (`AnyObserver.withOptions(of:)`).
/// An observer that is not persistent still calibrates; only saving its statistics fails.
public protocol PersistentObserver: Observer {
    /// The observer's options (documented per observer; `Codable` so configs and snapshots carry them).
    associatedtype Options: Codable & Sendable & Equatable
    /// The observer's complete statistic.
    associatedtype State: Codable & Sendable & Equatable

    /// Version of `State`'s encoding (default 1).
    static var stateVersion: Int { get }
    /// The options this observer was created with.
    var options: Options { get }
    /// The complete statistic.
    var state: State { get }
    /// An observer restored from a saved state.
    init(options: Options, state: State) throws
}

extension PersistentObserver {
    /// 1: the first encoding of `State`.
    public static var stateVersion: Int { 1 }

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
                kind: Self.kind,
                reason: "state version \(snapshot.version) is not supported "
                    + "(this build reads 1…\(Self.stateVersion))")
        }
        try self.init(options: snapshot.options, state: snapshot.state)
    }

    /// An observer with this one's options and `saved`'s statistic: re-calibrate a saved state with
    /// other options (another range method, percentile, …) without the data.
    /// - Throws: `ObserverError.mergeMismatch` if `saved` is of another type, or what
    ///   `init(options:state:)` throws if the options describe another statistic (granularity, bins).
    public func adoptingState(of saved: any Observer) throws -> Self {
        guard let mine = saved as? Self else {
            let theirs = type(of: saved).kind
            throw ObserverError.mergeMismatch(kind: Self.kind, reason: "saved statistic is of kind '\(theirs)'")
        }
        return try Self(options: options, state: mine.state)
    }
}
