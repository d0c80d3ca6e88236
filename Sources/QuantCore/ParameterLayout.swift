/// A tensor shape resolved against a ``Granularity``: the `[outer, length, inner]` view around the
/// axis and where each element's parameters live.
///
/// Element `(o, a, i)` (flat index `(o·length + a)·inner + i`) uses parameter
/// - per tensor: `0`
/// - per channel: `a`
/// - per group of `groupSize`: `(o·groupsPerAxis + a / groupSize)·inner + i`
///   (row-major over the parameter shape `[outer…, ⌈length/groupSize⌉, inner…]`).
///
/// Per tensor is represented as `outer = 1, length = 1, inner = count`.
public struct ParameterLayout: Sendable, Hashable, Codable {
    /// The granularity with its axis normalized to 0…rank−1.
    public let granularity: Granularity
    /// The tensor shape.
    public let shape: [Int]
    /// Product of the extents before the axis.
    public let outer: Int
    /// Extent of the axis.
    public let length: Int
    /// Product of the extents after the axis.
    public let inner: Int
    /// Consecutive indices along the axis that share parameters (1 per channel, `length` per tensor).
    public let groupSize: Int

    /// Creates the layout; see ``Granularity/layout(shape:)``.
    public init(granularity: Granularity, shape: [Int]) throws(QuantizationError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidShape(shape) }
        self.shape = shape
        let count = shape.reduce(1, *)
        func normalize(_ axis: Int) throws(QuantizationError) -> Int {
            let a = axis < 0 ? axis + shape.count : axis
            guard shape.indices.contains(a) else { throw .axisOutOfRange(axis: axis, rank: shape.count) }
            return a
        }
        switch granularity {
        case .perTensor:
            self.granularity = .perTensor
            (outer, length, inner, groupSize) = (1, 1, count, 1)
        case .perChannel(let axis):
            let a = try normalize(axis)
            self.granularity = .perChannel(axis: a)
            outer = shape[..<a].reduce(1, *)
            length = shape[a]
            inner = shape[(a + 1)...].reduce(1, *)
            groupSize = 1
        case .perGroup(let axis, let size):
            guard size >= 1 else { throw .invalidGroupSize(size) }
            let a = try normalize(axis)
            self.granularity = .perGroup(axis: a, size: size)
            outer = shape[..<a].reduce(1, *)
            length = shape[a]
            inner = shape[(a + 1)...].reduce(1, *)
            groupSize = size
        }
    }

    private enum CodingKeys: String, CodingKey { case granularity, shape }

    /// Encodes the granularity and shape (everything else is derived).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(granularity, forKey: .granularity)
        try c.encode(shape, forKey: .shape)
    }

    /// Decodes the granularity and shape and derives the rest (validating them as ``init(granularity:shape:)``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            granularity: c.decode(Granularity.self, forKey: .granularity), shape: c.decode([Int].self, forKey: .shape))
    }

    /// Number of elements.
    public var count: Int { outer * length * inner }

    /// Number of parameter blocks along the axis: `⌈length / groupSize⌉` per group, `length` per
    /// channel, 1 per tensor.
    public var groupsPerAxis: Int {
        switch granularity {
        case .perTensor: 1
        case .perChannel: length
        case .perGroup: (length + groupSize - 1) / groupSize
        }
    }

    /// Number of (scale, zero-point) pairs.
    public var parameterCount: Int {
        switch granularity {
        case .perTensor: 1
        case .perChannel: length
        case .perGroup: outer * groupsPerAxis * inner
        }
    }

    /// Shape of the parameter arrays: `[]`, `[length]`, or the tensor shape with the axis extent
    /// replaced by ``groupsPerAxis``.
    public var parameterShape: [Int] {
        switch granularity {
        case .perTensor: []
        case .perChannel: [length]
        case .perGroup(let axis, _):
            shape.enumerated().map { $0.offset == axis ? groupsPerAxis : $0.element }
        }
    }

    /// Parameter index of the element at flat (row-major) index `flat`.
    @inlinable
    public func parameterIndex(ofElement flat: Int) -> Int {
        switch granularity {
        case .perTensor: return 0
        case .perChannel: return (flat / inner) % length
        case .perGroup:
            let i = flat % inner
            let a = (flat / inner) % length
            let o = flat / (inner * length)
            return (o * groupsPerAxis + a / groupSize) * inner + i
        }
    }

    /// Per-parameter minimum and maximum of the finite values of a tensor with this layout
    /// (`+inf`/`−inf` for a parameter that saw no finite value). NaN and ±Inf are skipped.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` if `values.count != count`.
    public func finiteMinMax(_ values: UnsafeBufferPointer<Float>) throws(QuantizationError) -> (
        mins: [Float], maxs: [Float]
    ) {
        guard values.count == count else {
            throw .countMismatch(expected: count, actual: values.count, what: "tensor of shape \(shape)")
        }
        var mins = [Float](repeating: .infinity, count: parameterCount)
        var maxs = [Float](repeating: -.infinity, count: parameterCount)
        guard let base = values.baseAddress else { return (mins, maxs) }
        switch granularity {
        case .perTensor:
            let (lo, hi) = Self.minMax(base, count)
            mins[0] = lo
            maxs[0] = hi
        case .perChannel:
            for o in 0..<outer {
                for a in 0..<length {
                    let (lo, hi) = Self.minMax(base + (o * length + a) * inner, inner)
                    mins[a] = Swift.min(mins[a], lo)
                    maxs[a] = Swift.max(maxs[a], hi)
                }
            }
        case .perGroup:
            for o in 0..<outer {
                for a in 0..<length {
                    let row = base + (o * length + a) * inner
                    let p0 = (o * groupsPerAxis + a / groupSize) * inner
                    for i in 0..<inner where row[i].isFinite {
                        mins[p0 + i] = Swift.min(mins[p0 + i], row[i])
                        maxs[p0 + i] = Swift.max(maxs[p0 + i], row[i])
                    }
                }
            }
        }
        return (mins, maxs)
    }

    /// Finite min and max of `n` contiguous values (SIMD16 with `replace(with:where:)`).
    static func minMax(_ p: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        var lo = SIMD16<Float>(repeating: .infinity)
        var hi = SIMD16<Float>(repeating: -.infinity)
        let zero = SIMD16<Float>()
        let raw = UnsafeRawPointer(p)
        var j = 0
        while j + 16 <= n {
            let x = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            let finite = (x - x) .== zero  // false for NaN and ±Inf
            lo.replace(with: x, where: (x .< lo) .& finite)
            hi.replace(with: x, where: (x .> hi) .& finite)
            j += 16
        }
        var l = lo.min()
        var h = hi.max()
        while j < n {
            let x = p[j]
            if x.isFinite {
                l = Swift.min(l, x)
                h = Swift.max(h, x)
            }
            j += 1
        }
        return (l, h)
    }
}
