/// Calibrated ranges produced by an observer: one `[low, high]` per slot (tensor, channel or group).
///
/// Invariants: every `low`/`high` is finite and `low ≤ high`. A slot that saw no finite element
/// reports `[0, 0]` (documented degenerate range; the parameter computation then applies its
/// degenerate-range policy). Ranges are the data's (or the search's) clipping range and need not
/// contain zero: the parameter computation puts zero in.
public struct ObservedRanges: Sendable, Hashable, Codable {
    /// Shape of the slot array (`[]` per tensor, `[channels]` per channel, per-group parameter shape).
    public var slotShape: [Int]
    /// Lower clipping bound per slot.
    public var low: [Float]
    /// Upper clipping bound per slot.
    public var high: [Float]
    /// Element counts over everything observed (finite, NaN, ±Inf).
    public var counts: NonFiniteCounts
    /// Slots that saw no finite element (reported as `[0, 0]`).
    public var emptySlots: Int

    /// Creates ranges from their parts.
    public init(slotShape: [Int], low: [Float], high: [Float], counts: NonFiniteCounts, emptySlots: Int = 0) {
        self.slotShape = slotShape
        self.low = low
        self.high = high
        self.counts = counts
        self.emptySlots = emptySlots
    }

    /// Builds ranges from per-slot min/max, mapping empty slots to `[0, 0]`.
    public init(slotShape: [Int], ranges: SlotRanges, counts: NonFiniteCounts) {
        var lo = ranges.min, hi = ranges.max
        var empty = 0
        for i in 0..<lo.count where !(lo[i] <= hi[i]) {
            lo[i] = 0
            hi[i] = 0
            empty += 1
        }
        self.init(slotShape: slotShape, low: lo, high: hi, counts: counts, emptySlots: empty)
    }

    /// Number of slots.
    public var count: Int { low.count }
}
