public import QuantCore

/// How observers use QuantCore's `ParameterLayout`: one statistic slot per parameter.
///
/// A batch of shape `[d0, d1, …]` is viewed around the granularity's axis as `[outer, length, inner]`
/// so that for each `(outer, index)` pair the `inner` elements are contiguous and inner loops run over
/// contiguous memory. Slot `k` collects the elements whose parameter index is `k`:
/// - per tensor: one slot;
/// - per channel: slot `a` collects every element whose index along the axis is `a`. Later batches
///   must have the same extent along the axis (for axis 0 that is the number of rows: each batch is
///   then the whole tensor, e.g. a weight observed again); the other extents may differ;
/// - per group: one slot per `(outer index, ⌊index/size⌋, inner index)`, the layout of per-group
///   parameters. Later batches must have the same shape.
///
/// The layout kept in an observer's state is `canonical`: it does not depend on how many rows the
/// batches had, so states of different splits of the same data compare equal.
extension ParameterLayout {
    /// The layout of a batch of `shape` holding `count` elements for `granularity`, checked against
    /// the canonical layout fixed by earlier batches (if any).
    public static func observing(
        _ granularity: Granularity, shape: [Int], count: Int,
        previous: ParameterLayout?
    ) throws -> ParameterLayout {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw ObserverError.shapeMismatch(shape: shape, elementCount: count)
        }
        let layout: ParameterLayout
        do {
            layout = try ParameterLayout(granularity: granularity, shape: shape)
        } catch {
            throw ObserverError.incompatibleShape(shape: shape, expected: "\(granularity): \(error)")
        }
        if let previous, previous != layout.canonical {
            throw ObserverError.incompatibleShape(
                shape: shape,
                expected:
                    """
                    parameter shape \(previous.parameterShape) fixed by earlier batches (\(previous.granularity) of \
                    \(previous.shape))
                    """
            )
        }
        return layout
    }

    /// The batch-independent form of this layout: per tensor, shape `[]`; per channel along axis
    /// `a`, shape `[1, …, 1, length]` of rank `a + 1`; per group, the batch shape itself.
    public var canonical: ParameterLayout {
        let s: [Int]
        switch granularity {
        case .perTensor: s = []
        case .perChannel(let axis): s = Array(repeating: 1, count: axis) + [length]
        case .perGroup: s = shape
        }
        // The shape is valid for the granularity by construction.
        return (try? ParameterLayout(granularity: granularity, shape: s)) ?? self
    }

    /// Copies every element of slot `slot` from `batch` into `scratch` (cleared first), in a fixed
    /// order (outer, then index along the axis, then inner), for slot-wise statistics such as
    /// histograms.
    public func gather(slot: Int, from batch: UnsafeBufferPointer<Float>, into scratch: inout [Float]) {
        scratch.removeAll(keepingCapacity: true)
        guard let base = batch.baseAddress else { return }
        switch granularity {
        case .perTensor:
            scratch.append(contentsOf: batch)
        case .perChannel:
            if inner == 1 {
                var p = slot
                for _ in 0..<outer {
                    scratch.append(base[p])
                    p &+= length
                }
            } else {
                for o in 0..<outer {
                    scratch.append(
                        contentsOf: UnsafeBufferPointer(start: base + (o &* length &+ slot) &* inner, count: inner))
                }
            }
        case .perGroup:
            let g = groupsPerAxis
            let i = slot % inner
            let og = slot / inner
            let o = og / g
            let a0 = (og % g) * groupSize
            for a in a0..<Swift.min(a0 + groupSize, length) { scratch.append(base[(o &* length &+ a) &* inner &+ i]) }
        }
    }
}

extension ParameterLayout {
    /// Checks a restored state's layout against the options' granularity and its slot count.
    static func validateRestored(_ layout: ParameterLayout?, granularity: Granularity, slots: Int, kind: String) throws
    {
        guard slots == (layout?.parameterCount ?? 0) else {
            throw ObserverError.invalidState(
                kind: kind,
                reason: "\(slots) slots for parameter layout \(layout.map { "\($0.parameterShape)" } ?? "none")")
        }
        if let layout, (try? ParameterLayout(granularity: granularity, shape: layout.shape))?.canonical != layout {
            throw ObserverError.invalidState(
                kind: kind, reason: "state was observed \(layout.granularity), options ask \(granularity)")
        }
    }
}
