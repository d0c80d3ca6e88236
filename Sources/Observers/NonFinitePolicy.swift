/// What an observer does with NaN and ±Inf elements.
///
/// The default, `.skip`, ignores them for every statistic and counts them (`NonFiniteCounts`), so a
/// report can show how many there were. `.error` makes `observe` throw `ObserverError.nonFinite`
/// for a batch holding any (the observer's state is left as it was before that batch).
public enum NonFinitePolicy: String, Codable, Sendable, Hashable, CaseIterable {
    /// Skip non-finite elements and count them.
    case skip
    /// Throw `ObserverError.nonFinite` for a batch holding any non-finite element.
    case error
}

/// Counts of the elements an observer has seen, split into finite, NaN, +Inf and −Inf.
///
/// Counts are exact integers, so merging (addition) is exact and order-independent.
public struct NonFiniteCounts: Codable, Sendable, Hashable {
    /// Finite elements observed (the ones the statistics are made of).
    public var finite: UInt64 = 0
    /// NaN elements skipped.
    public var nan: UInt64 = 0
    /// +Inf elements skipped.
    public var positiveInfinity: UInt64 = 0
    /// −Inf elements skipped.
    public var negativeInfinity: UInt64 = 0

    /// Creates zero counts.
    public init() {}

    /// Creates counts from their parts.
    public init(finite: UInt64, nan: UInt64, positiveInfinity: UInt64, negativeInfinity: UInt64) {
        self.finite = finite
        self.nan = nan
        self.positiveInfinity = positiveInfinity
        self.negativeInfinity = negativeInfinity
    }

    /// All non-finite elements (NaN + ±Inf).
    public var nonFinite: UInt64 { nan + positiveInfinity + negativeInfinity }

    /// All elements seen, finite or not.
    public var total: UInt64 { finite + nonFinite }

    /// Adds another set of counts (exact).
    public mutating func add(_ other: NonFiniteCounts) {
        finite += other.finite
        nan += other.nan
        positiveInfinity += other.positiveInfinity
        negativeInfinity += other.negativeInfinity
    }

    /// Throws `ObserverError.nonFinite` when `policy` is `.error` and any element was non-finite.
    func check(_ policy: NonFinitePolicy, kind: String) throws {
        if policy == .error && nonFinite > 0 {
            throw ObserverError.nonFinite(
                kind: kind, nan: nan, positiveInfinity: positiveInfinity, negativeInfinity: negativeInfinity)
        }
    }
}
