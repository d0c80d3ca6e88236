public import QuantCore

/// Running minimum and maximum, per tensor, per channel or per group (kind `"minmax"`).
///
/// Statistic: the exact finite min and max of every slot; NaN/±Inf are skipped and counted (or
/// rejected, per `Options.nonFinite`). Merging is exact and order-independent. The calibrated range
/// is `[min, max]` per slot (an empty slot gives `[0, 0]`). With the PyTorch profile the resulting
/// parameters equal PyTorch's `MinMaxObserver` / `PerChannelMinMaxObserver`.
public struct MinMaxObserver: PersistentObserver, ExactlyMergeable {
    /// Options of the min-max observer.
    public struct Options: Codable, Sendable, Equatable {
        /// Per tensor (default), per channel along an axis, or per group along an axis (see
        /// `ParameterLayout.observing`).
        public var granularity: Granularity
        /// NaN/±Inf handling (default `.skip`).
        public var nonFinite: NonFinitePolicy

        /// Creates options.
        public init(granularity: Granularity = .perTensor, nonFinite: NonFinitePolicy = .skip) {
            self.granularity = granularity
            self.nonFinite = nonFinite
        }
    }

    /// The statistic: the slot shape (fixed by the first non-empty batch), ranges and counts.
    public struct State: Codable, Sendable, Equatable {
        /// Canonical parameter layout, `nil` before the first non-empty batch.
        public var layout: ParameterLayout?
        /// Per-slot min/max.
        public var ranges: SlotRanges
        /// Element counts.
        public var counts: NonFiniteCounts

        /// Creates a state from its parts.
        public init(layout: ParameterLayout?, ranges: SlotRanges, counts: NonFiniteCounts) {
            self.layout = layout
            self.ranges = ranges
            self.counts = counts
        }
    }

    public static let kind = "minmax"

    public let options: Options
    public private(set) var state: State

    public init(options: Options = Options()) {
        self.options = options
        state = State(layout: nil, ranges: SlotRanges(count: 0), counts: NonFiniteCounts())
    }

    public init(options: Options, state: State) throws {
        try ParameterLayout.validateRestored(
            state.layout, granularity: options.granularity, slots: state.ranges.count, kind: Self.kind)
        self.options = options
        self.state = state
    }

    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        try observe(batch, shape: shape, scan: nil)
    }

    /// ``observe(_:shape:)`` given the batch's ``RangeScan`` when it is already known (one scan of a batch
    /// for several per-tensor observers): the same state. `scan` is used per tensor only, and must be
    /// `RangeScan.scan(batch)`.
    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int], scan: RangeScan?) throws {
        let layout = try ParameterLayout.observing(
            options.granularity, shape: shape, count: batch.count, previous: state.layout)
        guard batch.count > 0 else { return }
        var (r, counts) = (SlotRanges(count: 1), scan?.counts ?? NonFiniteCounts())
        if let scan, case .perTensor = layout.granularity {
            r.min[0] = scan.min
            r.max[0] = scan.max
        } else {
            (r, counts) = SlotRanges.reduce(batch, layout: layout)
        }
        try counts.check(options.nonFinite, kind: Self.kind)
        if state.layout == nil {
            state.layout = layout.canonical
            state.ranges = r
        } else {
            state.ranges.combine(r)
        }
        state.counts.add(counts)
    }

    public mutating func merge(_ other: MinMaxObserver) throws {
        guard other.options == options else {
            throw ObserverError.mergeMismatch(kind: Self.kind, reason: "options differ")
        }
        guard let otherLayout = other.state.layout else { return }
        if let mine = state.layout {
            guard mine == otherLayout else {
                throw ObserverError.mergeMismatch(
                    kind: Self.kind,
                    reason:
                        """
                        parameter layouts \(mine.granularity) of \(mine.shape) and \(otherLayout.granularity) of \
                        \(otherLayout.shape) differ
                        """
                )
            }
            state.ranges.combine(other.state.ranges)
            state.counts.add(other.state.counts)
        } else {
            let counts = state.counts
            state = other.state
            state.counts.add(counts)
        }
    }

    /// `[min, max]` per slot; `target` is not used.
    public func ranges(for target: RangeTarget) throws -> ObservedRanges {
        ObservedRanges(layout: state.layout, ranges: state.ranges, counts: state.counts)
    }
}
