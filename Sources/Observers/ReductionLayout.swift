/// How a batch's elements map to the observer's statistic slots (one slot per tensor, channel or group).
///
/// A batch of shape `[d0, d1, …]` reduced along `axis` is viewed as `[outer, channels, inner]` with
/// `outer = d0·…·d(axis−1)`, `channels = d(axis)`, `inner = d(axis+1)·…`, so that for each
/// `(outer, channel)` pair the `inner` elements are contiguous and inner loops run over contiguous
/// memory.
///
/// - per tensor: one slot; the slot shape is `[]`.
/// - per channel: slot `c` collects every element whose index along `axis` is `c`; the slot shape is
///   `[channels]`. Later batches must have the same `channels` (for `axis == 0` that means the same
///   number of rows: each batch is then the whole tensor, e.g. a weight observed again).
/// - per group of `size` along `axis`: one slot per `(outer index, ⌊channel/size⌋, inner index)`, the
///   layout of per-group parameters (the tensor's shape with `d(axis)` replaced by
///   `⌈d(axis)/size⌉`; the last group may be partial). Later batches must have the same shape.
public struct ReductionLayout: Sendable, Hashable, Codable {
    /// The reduction this layout implements.
    public enum Reduction: Sendable, Hashable, Codable {
        /// One statistic for the whole tensor.
        case perTensor
        /// One statistic per index along `axis`.
        case perChannel(axis: Int)
        /// One statistic per block of `size` consecutive indices along `axis`, for every index of
        /// the other axes.
        case perGroup(axis: Int, size: Int)
    }

    /// The reduction.
    public let reduction: Reduction
    /// Product of the dimensions before the axis (1 per tensor).
    public let outer: Int
    /// Length of the axis (1 per tensor).
    public let channels: Int
    /// Product of the dimensions after the axis (the element count per tensor).
    public let inner: Int
    /// Shape of the slot array: `[]`, `[channels]`, or the batch shape with the axis replaced by its
    /// group count.
    public let slotShape: [Int]

    /// Number of statistic slots (product of `slotShape`).
    public var slotCount: Int { slotShape.reduce(1, *) }

    /// Groups along the axis (`⌈channels/size⌉`; 1 unless per group).
    public var groupsPerOuter: Int {
        if case let .perGroup(_, size) = reduction { return (channels + size - 1) / size }
        return 1
    }

    /// Builds the layout of a batch of `shape` holding `elementCount` elements.
    public init(reduction: Reduction, shape: [Int], elementCount: Int) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == elementCount else {
            throw ObserverError.shapeMismatch(shape: shape, elementCount: elementCount)
        }
        self.reduction = reduction
        switch reduction {
        case .perTensor:
            (outer, channels, inner) = (1, 1, elementCount)
            slotShape = []
        case let .perChannel(axis):
            guard axis >= 0, axis < shape.count else {
                throw ObserverError.incompatibleShape(shape: shape, expected: "per-channel axis \(axis) out of range")
            }
            outer = shape[..<axis].reduce(1, *)
            channels = shape[axis]
            inner = shape[(axis + 1)...].reduce(1, *)
            slotShape = [channels]
        case let .perGroup(axis, size):
            guard axis >= 0, axis < shape.count else {
                throw ObserverError.incompatibleShape(shape: shape, expected: "per-group axis \(axis) out of range")
            }
            guard size > 0 else {
                throw ObserverError.incompatibleShape(shape: shape, expected: "group size \(size) must be positive")
            }
            outer = shape[..<axis].reduce(1, *)
            channels = shape[axis]
            inner = shape[(axis + 1)...].reduce(1, *)
            var s = shape
            s[axis] = (channels + size - 1) / size
            slotShape = s
        }
    }

    /// The slot an `(outer, channel, inner)` position belongs to.
    @inlinable
    public func slot(outer o: Int, channel c: Int, inner i: Int) -> Int {
        switch reduction {
        case .perTensor: return 0
        case .perChannel: return c
        case let .perGroup(_, size): return (o &* groupsPerOuter &+ c / size) &* inner &+ i
        }
    }

    /// Copies every element of slot `slot` from `batch` into `scratch` (cleared first), in a fixed
    /// order (outer, then channel, then inner), for slot-wise algorithms such as histograms.
    public func gather(slot: Int, from batch: UnsafeBufferPointer<Float>, into scratch: inout [Float]) {
        scratch.removeAll(keepingCapacity: true)
        guard let base = batch.baseAddress else { return }
        switch reduction {
        case .perTensor:
            scratch.append(contentsOf: batch)
        case .perChannel:
            let c = slot
            if inner == 1 {
                var p = c
                for _ in 0..<outer {
                    scratch.append(base[p])
                    p &+= channels
                }
            } else {
                for o in 0..<outer {
                    let start = (o &* channels &+ c) &* inner
                    scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: inner))
                }
            }
        case let .perGroup(_, size):
            let g = groupsPerOuter
            let i = slot % inner
            let og = slot / inner
            let o = og / g, grp = og % g
            let c0 = grp * size, c1 = Swift.min(c0 + size, channels)
            for c in c0..<c1 { scratch.append(base[(o &* channels &+ c) &* inner &+ i]) }
        }
    }
}

extension ReductionLayout {
    /// The layout of a batch, checked against the slot shape fixed by earlier batches (if any).
    static func checked(_ reduction: Reduction, shape: [Int], count: Int, previous: [Int]?) throws -> ReductionLayout {
        let layout = try ReductionLayout(reduction: reduction, shape: shape, elementCount: count)
        if let previous, previous != layout.slotShape {
            throw ObserverError.incompatibleShape(
                shape: shape, expected: "slot shape \(previous) fixed by earlier batches, got \(layout.slotShape)")
        }
        return layout
    }
}
