public import QuantCore

/// Calibrated ranges produced by an observer: one `[low, high]` per parameter slot (tensor,
/// channel or group), ready for `AffineScheme.parameters(mins:maxs:shape:)`.
///
/// Invariants: every `low`/`high` is finite and `low ≤ high`. A slot that saw no finite element
/// reports `[0, 0]` (the documented degenerate range; the scheme's degenerate-range policy then
/// gives finite parameters and a warning). Ranges are the data's (or the search's) clipping range
/// and need not contain zero: the parameter computation puts zero in.
public struct ObservedRanges: Sendable, Hashable, Codable {
    /// The observer's canonical parameter layout (per tensor: shape `[]`).
    public var layout: ParameterLayout
    /// Lower clipping bound per slot.
    public var low: [Float]
    /// Upper clipping bound per slot.
    public var high: [Float]
    /// Element counts over everything observed (finite, NaN, ±Inf).
    public var counts: NonFiniteCounts
    /// Slots that saw no finite element (reported as `[0, 0]`).
    public var emptySlots: Int

    /// Creates ranges from their parts; a `nil` layout (nothing observed yet) means one per-tensor slot.
    public init(layout: ParameterLayout?, low: [Float], high: [Float], counts: NonFiniteCounts, emptySlots: Int = 0) {
        self.layout = layout ?? Self.perTensor
        self.low = low
        self.high = high
        self.counts = counts
        self.emptySlots = emptySlots
    }

    /// Builds ranges from per-slot min/max, mapping empty slots to `[0, 0]`.
    public init(layout: ParameterLayout?, ranges: SlotRanges, counts: NonFiniteCounts) {
        var lo = ranges.min
        var hi = ranges.max
        if layout == nil { (lo, hi) = ([.infinity], [-.infinity]) }
        var empty = 0
        for i in 0..<lo.count where !(lo[i] <= hi[i]) {
            lo[i] = 0
            hi[i] = 0
            empty += 1
        }
        self.init(layout: layout, low: lo, high: hi, counts: counts, emptySlots: empty)
    }

    /// The per-tensor layout of shape `[]`.
    static let perTensor: ParameterLayout = {
        guard let l = try? ParameterLayout(granularity: .perTensor, shape: []) else {
            fatalError("per-tensor layout of [] is valid")
        }
        return l
    }()

    /// Shape of the slot array: `[]` per tensor, `[length]` per channel, the per-group parameter shape.
    public var slotShape: [Int] { layout.parameterShape }

    /// Number of slots.
    public var count: Int { low.count }
}
