public import QuantCore

/// Exact, mergeable histograms per tensor, channel or group (kind `"histogram"`), the statistic
/// behind the `histogram`, `percentile`, `mse` and `entropy` observers.
///
/// Each slot keeps an `ExactHistogram` (power-of-two bins aligned at zero, `UInt64` counts, at most
/// `Options.bins` bins), so the same data observed in any batches, shards or order, then merged,
/// gives identical states. NaN/±Inf are skipped and counted, or rejected per `Options.nonFinite`.
/// The range comes from `Options.method` (one ``HistogramRange`` per method, each in its own file);
/// `with(method:)` re-calibrates the same statistic with another method. Memory: up to `8·bins`
/// bytes per slot (use the exact data search, `ClippingSearch.mse(data:target:)`, rather than
/// per-group histograms for large weights).
public struct HistogramObserver: PersistentObserver, ExactlyMergeable {
    /// Options of the histogram observer: the statistic's (`granularity`, `bins`, `nonFinite`) and the
    /// range method with its own options. The defaults here are every histogram-family observer's.
    ///
    /// Saved snapshots hold this `Codable` form (`method` nested, see `HistogramRangeMethod`); a
    /// configuration writes the flat form of its registry entry (see
    /// `ObserverRegistry.registerHistogram(name:summary:defaults:)`).
    public struct Options: Codable, Sendable, Equatable {
        /// Per tensor (default), per channel along an axis, or per group along an axis (see
        /// `ParameterLayout.observing`).
        public var granularity: Granularity
        /// Bin budget per slot (default 4096; at least 2).
        public var bins: Int
        /// NaN/±Inf handling (default `.skip`).
        public var nonFinite: NonFinitePolicy
        /// How the range is chosen (default `.minmax`).
        public var method: HistogramRangeMethod

        /// Creates options.
        public init(
            granularity: Granularity = .perTensor, bins: Int = ExactHistogram.defaultBudget,
            nonFinite: NonFinitePolicy = .skip, method: HistogramRangeMethod = .minmax
        ) {
            self.granularity = granularity
            self.bins = bins
            self.nonFinite = nonFinite
            self.method = method
        }
    }

    /// The statistic: slot shape, one exact histogram per slot, element counts.
    public struct State: Codable, Sendable, Equatable {
        /// Canonical parameter layout, `nil` before the first non-empty batch.
        public var layout: ParameterLayout?
        /// One histogram per slot.
        public var histograms: [ExactHistogram]
        /// Element counts.
        public var counts: NonFiniteCounts
    }

    public static let kind = "histogram"

    public let options: Options
    public private(set) var state: State

    public init(options: Options = Options()) throws {
        guard options.bins >= 2 else {
            throw ObserverError.invalidOption(kind: Self.kind, option: "bins", reason: "must be at least 2")
        }
        try options.method.validate()
        self.options = options
        state = State(layout: nil, histograms: [], counts: NonFiniteCounts())
    }

    public init(options: Options, state: State) throws {
        try self.init(options: options)
        try ParameterLayout.validateRestored(
            state.layout, granularity: options.granularity, slots: state.histograms.count, kind: Self.kind)
        guard state.histograms.allSatisfy({ $0.budget == options.bins }) else {
            throw ObserverError.invalidState(
                kind: Self.kind, reason: "histograms were kept with another bin budget than \(options.bins)")
        }
        self.state = state
    }

    /// The same statistic with another range method (or any options that keep the statistic:
    /// same granularity, bins and non-finite policy).
    public func with(method: HistogramRangeMethod) throws -> HistogramObserver {
        var o = options
        o.method = method
        return try HistogramObserver(options: o, state: state)
    }

    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        try observe(batch, shape: shape, scan: nil)
    }

    /// ``observe(_:shape:)`` given the batch's ``RangeScan`` when it is already known (one scan of a batch
    /// for several per-tensor observers): the same state. `scan` is used per tensor only, and must be
    /// `RangeScan.scan(batch)`.
    public mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int], scan given: RangeScan?) throws {
        let layout = try ParameterLayout.observing(
            options.granularity, shape: shape, count: batch.count, previous: state.layout)
        guard batch.count > 0 else { return }
        if state.layout == nil {
            state.layout = layout.canonical
            state.histograms = Array(repeating: ExactHistogram(budget: options.bins), count: layout.parameterCount)
        }
        if case .perTensor = layout.granularity {
            // Every value finite (any non-finite policy passes) and on the current grid: no separate scan.
            if given == nil, addFittingGrid(batch) != nil { return }
            let scan = given ?? RangeScan.scan(batch)
            try scan.counts.check(options.nonFinite, kind: Self.kind)
            state.histograms[0].add(batch, scan: scan)
            state.counts.add(scan.counts)
            return
        }
        if options.nonFinite == .error {
            try RangeScan.scan(batch).counts.check(options.nonFinite, kind: Self.kind)
        }
        var scratch: [Float] = []
        for slot in 0..<layout.parameterCount {
            layout.gather(slot: slot, from: batch, into: &scratch)
            scratch.withUnsafeBufferPointer { sp in
                let scan = RangeScan.scan(sp)
                state.histograms[slot].add(sp, scan: scan)
                state.counts.add(scan.counts)
            }
        }
    }

    /// ``observe(_:shape:)`` for a per-tensor histogram when the batch fits its grid
    /// (``ExactHistogram/addFittingGrid(_:)``: every value finite, the grid unchanged by them): the same state,
    /// and the batch's ``RangeScan`` for other per-tensor observers of it; `nil` with the state unchanged
    /// otherwise (then observe with a scan).
    ///
    /// - Throws: ``ObserverError`` for a shape the granularity does not fit.
    public mutating func observeFittingGrid(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws -> RangeScan? {
        let layout = try ParameterLayout.observing(
            options.granularity, shape: shape, count: batch.count, previous: state.layout)
        guard batch.count > 0, case .perTensor = layout.granularity, state.layout != nil else { return nil }
        return addFittingGrid(batch)
    }

    /// The per-tensor histogram's ``ExactHistogram/addFittingGrid(_:)`` with the counts taken: the batch's
    /// scan, or `nil` with the state unchanged.
    private mutating func addFittingGrid(_ batch: UnsafeBufferPointer<Float>) -> RangeScan? {
        guard let scan = state.histograms[0].addFittingGrid(batch) else { return nil }
        state.counts.add(scan.counts)
        return scan
    }

    public mutating func merge(_ other: HistogramObserver) throws {
        guard other.options.granularity == options.granularity, other.options.bins == options.bins,
            other.options.nonFinite == options.nonFinite
        else {
            throw ObserverError.mergeMismatch(kind: Self.kind, reason: "granularity, bins or non-finite policy differ")
        }
        guard let otherLayout = other.state.layout else {
            state.counts.add(other.state.counts)
            return
        }
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
            for i in 0..<state.histograms.count { state.histograms[i].merge(other.state.histograms[i]) }
            state.counts.add(other.state.counts)
        } else {
            let counts = state.counts
            state = other.state
            state.counts.add(counts)
        }
    }

    /// The per-slot range of `options.method` for `target` (see `HistogramRangeMethod`).
    public func ranges(for target: RangeTarget) throws -> ObservedRanges {
        guard let layout = state.layout else {
            return ObservedRanges(layout: nil, low: [0], high: [0], counts: state.counts, emptySlots: 1)
        }
        var low = [Float]()
        var high = [Float]()
        var empty = 0
        low.reserveCapacity(state.histograms.count)
        high.reserveCapacity(state.histograms.count)
        for h in state.histograms {
            if h.isEmpty {
                empty += 1
                low.append(0)
                high.append(0)
                continue
            }
            let (lo, hi) = options.method.range(of: h, target: target)
            low.append(lo)
            high.append(hi)
        }
        return ObservedRanges(layout: layout, low: low, high: high, counts: state.counts, emptySlots: empty)
    }
}
