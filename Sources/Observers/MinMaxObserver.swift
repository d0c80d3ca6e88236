/// Running minimum and maximum, per tensor, per channel or per group (kind `"minmax"`).
///
/// Statistic: the exact finite min and max of every slot; NaN/±Inf are skipped and counted (or
/// rejected, per `Options.nonFinite`). Merging is exact and order-independent. The calibrated range
/// is `[min, max]` per slot (an empty slot gives `[0, 0]`). With the PyTorch profile the resulting
/// parameters equal PyTorch's `MinMaxObserver` / `PerChannelMinMaxObserver`.
public struct MinMaxObserver: Observer {
    /// Options of the min-max observer.
    public struct Options: Codable, Sendable, Equatable {
        /// Per tensor (default), per channel along an axis, or per group along an axis.
        public var reduction: ReductionLayout.Reduction
        /// NaN/±Inf handling (default `.skip`).
        public var nonFinite: NonFinitePolicy

        /// Creates options.
        public init(reduction: ReductionLayout.Reduction = .perTensor, nonFinite: NonFinitePolicy = .skip) {
            self.reduction = reduction
            self.nonFinite = nonFinite
        }
    }

    /// The statistic: the slot shape (fixed by the first non-empty batch), ranges and counts.
    public struct State: Codable, Sendable, Equatable {
        /// Slot shape, `nil` before the first non-empty batch.
        public var slotShape: [Int]?
        /// Per-slot min/max.
        public var ranges: SlotRanges
        /// Element counts.
        public var counts: NonFiniteCounts

        /// Creates a state from its parts.
        public init(slotShape: [Int]?, ranges: SlotRanges, counts: NonFiniteCounts) {
            self.slotShape = slotShape
            self.ranges = ranges
            self.counts = counts
        }
    }

    public static let kind = "minmax"
    public static let stateVersion = 1

    public let options: Options
    public private(set) var state: State

    public init(options: Options = Options()) {
        self.options = options
        state = State(slotShape: nil, ranges: SlotRanges(count: 0), counts: NonFiniteCounts())
    }

    public init(options: Options, state: State) throws {
        guard state.ranges.count == (state.slotShape?.reduce(1, *) ?? 0) else {
            throw ObserverError.invalidState(kind: Self.kind, reason: "slot count does not match slot shape")
        }
        self.options = options
        self.state = state
    }

    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        let layout = try ReductionLayout.checked(options.reduction, shape: shape, count: batch.count, previous: state.slotShape)
        guard batch.count > 0 else { return }
        let (r, counts) = SlotRanges.reduce(batch, layout: layout)
        try counts.check(options.nonFinite, kind: Self.kind)
        if state.slotShape == nil {
            state.slotShape = layout.slotShape
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
        guard let otherShape = other.state.slotShape else { return }
        if let mine = state.slotShape {
            guard mine == otherShape else {
                throw ObserverError.mergeMismatch(kind: Self.kind, reason: "slot shapes \(mine) and \(otherShape) differ")
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
        ObservedRanges(slotShape: state.slotShape ?? [], ranges: state.slotShape == nil ? SlotRanges(count: 1) : state.ranges,
                       counts: state.counts)
    }
}
