public import QuantCore

/// Exponential moving average of per-batch min and max (kind `"moving-average-minmax"`), PyTorch's
/// `MovingAverageMinMaxObserver` / `MovingAveragePerChannelMinMaxObserver` semantics.
///
/// The first batch with finite data sets `min`/`max` to its own; each later batch updates, in
/// Float32 arithmetic as PyTorch does, `min ← min + c·(batch_min − min)` and
/// `max ← max + c·(batch_max − max)` with `c = averagingConstant` (default 0.01). Per slot, a batch
/// with no finite element leaves the slot unchanged.
///
/// The statistic depends on the batch order by definition, so `merge` is only defined when one side
/// is empty; otherwise it throws `ObserverError.mergeMismatch` (use `minmax` or `histogram` for
/// sharded or multi-threaded observation). Hence it is not ``ExactlyMergeable``: a multi-threaded
/// calibration streams the batches of a dataset it observes in read order.
public struct MovingAverageMinMaxObserver: PersistentObserver {
    /// Options of the moving-average observer.
    public struct Options: Codable, Sendable, Equatable {
        /// Averaging constant `c` in `(0, 1]` (default 0.01, PyTorch's).
        public var averagingConstant: Float
        /// Per tensor (default), per channel along an axis, or per group along an axis (see
        /// `ParameterLayout.observing`).
        public var granularity: Granularity
        /// NaN/±Inf handling (default `.skip`).
        public var nonFinite: NonFinitePolicy

        /// Creates options.
        public init(
            averagingConstant: Float = 0.01, granularity: Granularity = .perTensor,
            nonFinite: NonFinitePolicy = .skip
        ) {
            self.averagingConstant = averagingConstant
            self.granularity = granularity
            self.nonFinite = nonFinite
        }
    }

    /// The statistic: averaged ranges, batch count and element counts.
    public struct State: Codable, Sendable, Equatable {
        /// Canonical parameter layout, `nil` before the first non-empty batch.
        public var layout: ParameterLayout?
        /// Averaged per-slot min/max (empty slots `±Inf`, written as `null`).
        public var ranges: SlotRanges
        /// Non-empty batches observed.
        public var batches: UInt64
        /// Element counts.
        public var counts: NonFiniteCounts
    }

    public static let kind = "moving-average-minmax"

    public let options: Options
    public private(set) var state: State

    public init(options: Options = Options()) throws {
        guard options.averagingConstant > 0, options.averagingConstant <= 1 else {
            throw ObserverError.invalidOption(kind: Self.kind, option: "averagingConstant", reason: "must be in (0, 1]")
        }
        self.options = options
        state = State(layout: nil, ranges: SlotRanges(count: 0), batches: 0, counts: NonFiniteCounts())
    }

    public init(options: Options, state: State) throws {
        try self.init(options: options)
        try ParameterLayout.validateRestored(
            state.layout, granularity: options.granularity, slots: state.ranges.count, kind: Self.kind)
        self.state = state
    }

    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        let layout = try ParameterLayout.observing(
            options.granularity, shape: shape, count: batch.count, previous: state.layout)
        guard batch.count > 0 else { return }
        let (r, counts) = SlotRanges.reduce(batch, layout: layout)
        try counts.check(options.nonFinite, kind: Self.kind)
        if state.layout == nil {
            state.layout = layout.canonical
            state.ranges = SlotRanges(count: layout.parameterCount)
        }
        let c = options.averagingConstant
        for i in 0..<r.count where r.min[i] <= r.max[i] {
            if state.ranges.min[i] <= state.ranges.max[i] {
                // PyTorch: min_val + averaging_constant * (min_val_cur - min_val), all in float32.
                state.ranges.min[i] = state.ranges.min[i] + c * (r.min[i] - state.ranges.min[i])
                state.ranges.max[i] = state.ranges.max[i] + c * (r.max[i] - state.ranges.max[i])
            } else {
                state.ranges.min[i] = r.min[i]
                state.ranges.max[i] = r.max[i]
            }
        }
        state.batches += 1
        state.counts.add(counts)
    }

    public mutating func merge(_ other: MovingAverageMinMaxObserver) throws {
        guard other.options == options else {
            throw ObserverError.mergeMismatch(kind: Self.kind, reason: "options differ")
        }
        if other.state.batches == 0 {
            state.counts.add(other.state.counts)
            return
        }
        guard state.batches == 0 else {
            throw ObserverError.mergeMismatch(
                kind: Self.kind, reason: "moving averages depend on batch order and cannot be merged exactly")
        }
        let counts = state.counts
        state = other.state
        state.counts.add(counts)
    }

    /// The averaged `[min, max]` per slot; `target` is not used.
    public func ranges(for target: RangeTarget) throws -> ObservedRanges {
        ObservedRanges(layout: state.layout, ranges: state.ranges, counts: state.counts)
    }
}
