/// The saved form of one persistent observer: `{"kind", "version", "options", "state"}`.
public struct ObserverSnapshot<O: PersistentObserver>: Codable, Sendable, Equatable {
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
