import CMomentKernels
import QuantCore
import TestSupport
import Testing

/// Values that exercise every branch of the fake-quantization: normals spread past the grid (clamped on both
/// sides), exact ties at .5 of a power-of-two scale, ±0, NaN and ±Inf, in a count that is not a multiple of 4
/// or 8.
private func awkwardValues(count: Int, scale: Float, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    var x = (0..<count).map { _ in Float(rng.normal()) * scale * 90 }
    for i in stride(from: 0, to: count, by: 5) { x[i] = (Float(Int(rng.next() % 41)) - 20.5) * scale }  // ties
    for i in stride(from: 3, to: count, by: 11) { x[i] = i % 2 == 0 ? -0.0 : 0.0 }
    for i in stride(from: 7, to: count, by: 97) { x[i] = [Float.nan, .infinity, -.infinity][(i / 97) % 3] }
    return x
}

/// The formats, schemes and rules measured: int8/int4/uint8, symmetric (z = 0, or the unsigned midpoint) and
/// asymmetric zero points, ties to even or away, x / s or x · (1/s); power-of-two scales (exact ties) and one
/// that is not.
private let grids: [(format: IntegerFormat, scale: Float, zero: Int32, rounding: RoundingRule, reciprocal: Bool)] = [
    (.int8, 0.0625, 0, .toNearestOrEven, false), (.int8, 0.0625, -7, .toNearestOrAwayFromZero, false),
    (.int8, 0.0173, 3, .toNearestOrEven, true), (.int4, 0.25, 0, .toNearestOrAwayFromZero, true),
    (.int4, 0.37, -2, .toNearestOrEven, false), (.uint8, 0.125, 128, .toNearestOrEven, false),
    (.uint8, 0.0291, 17, .toNearestOrAwayFromZero, true), (.uint8, 0.5, 255, .toNearestOrAwayFromZero, false),
]

/// The bit patterns of every field of `m`, to compare metrics exactly.
private func bits(_ m: ErrorMetrics) -> [UInt64] {
    [
        UInt64(m.count), UInt64(m.nonFiniteCount), m.sumSquaredError.bitPattern, m.sumSquaredReference.bitPattern,
        m.sumSquaredReconstruction.bitPattern, m.sumProducts.bitPattern, m.maxAbsoluteError.bitPattern,
    ]
}

/// `ptqkit_fused_measure` on each code path against its definition: `fakeQuantize` for x̂, the error lanes'
/// algorithm (``ErrorLanesKernelTests/reference(_:_:lanes:)``) for the lanes and the pairs added, and the
/// clipped elements among those pairs (outside ``QuantizationParameters/clippingBounds(parameter:)``).
@Suite struct FusedMeasureKernelTests {
    @Test(arguments: grids.indices, [0, 3, 4, 13, 64, 1001])
    func everyPathEqualsFakeQuantizeThenLanes(grid: Int, count: Int) throws {
        let g = grids[grid]
        var x = awkwardValues(count: count, scale: g.scale, seed: UInt64(grid * 1000 + count))
        // Non-finite values only from element 900 on, so that long runs of whole groups are added first.
        x = x.enumerated().map { i, v in v.isFinite || i >= 900 ? v : 1.5 * g.scale }
        let p = try QuantizationParameters(
            format: g.format, rounding: g.rounding, layout: ParameterLayout(granularity: .perTensor, shape: [count]),
            scales: [g.scale], zeroPoints: [g.zero], multipliesByReciprocal: g.reciprocal)
        let y = try p.fakeQuantize(x)
        let start = (0..<20).map { Double($0) * 0.125 }
        let (expected, added) = ErrorLanesKernelTests.reference(x, y, lanes: start)
        let bounds = p.clippingBounds(parameter: 0)
        let clipped = x[..<added].filter { !bounds.contains($0) }.count
        var run = ptqkit_affine_run(
            scale: g.scale, lo: Float(g.format.qmin - g.zero), hi: Float(g.format.qmax - g.zero),
            clip_low: bounds.lowerBound, clip_high: bounds.upperBound, reciprocal: g.reciprocal ? 1 : 0,
            away: g.rounding == .toNearestOrAwayFromZero ? 1 : 0)
        for (i, v) in x.enumerated() {
            #expect(ptqkit_fake_quantize_one(v, &run).bitPattern == y[i].bitPattern, "x = \(v)")
        }
        for path: Int32 in [0, 1] {
            var lanes = start
            var c = 0
            let n = x.withUnsafeBufferPointer { xp in
                lanes.withUnsafeMutableBufferPointer { l in
                    ptqkit_fused_measure_on(path, xp.baseAddress, xp.count, &run, l.baseAddress, &c)
                }
            }
            #expect(n == added, "path \(path)")
            #expect(lanes.map(\.bitPattern) == expected.map(\.bitPattern), "path \(path)")
            #expect(c == clipped, "path \(path)")
        }
    }
}

/// ``ErrorMetrics/Stream/addFakeQuantized(reference:parameters:)`` against what it replaces:
/// ``QuantizationParameters/fakeQuantize(_:into:)``, ``ErrorMetrics/Stream/add(reference:reconstruction:)`` and
/// the count of finite values outside their parameter's clipping bounds, bit for bit, over one or several
/// blocks, with groups of four spanning runs (rows not a multiple of 4) and NaN/±Inf anywhere.
@Suite struct FusedMeasureStreamTests {
    /// The old measure: fake-quantize, add to the stream, count the clipped values.
    static func reference(_ x: [Float], _ p: QuantizationParameters, into stream: inout ErrorMetrics.Stream) throws
        -> Int
    {
        let y = try p.fakeQuantize(x)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeBufferPointer { yp in try stream.add(reference: xp, reconstruction: yp) }
        }
        return x.indices.filter { i in
            x[i].isFinite && !p.clippingBounds(parameter: p.layout.parameterIndex(ofElement: i)).contains(x[i])
        }.count
    }

    static let layouts: [(Granularity, [Int])] = [
        (.perTensor, [6, 37]), (.perChannel(axis: 0), [6, 37]), (.perChannel(axis: 0), [5, 16]),
        (.perChannel(axis: 0), [3, 4, 9]), (.perGroup(axis: 1, size: 16), [4, 53]),
        (.perGroup(axis: 1, size: 32), [3, 96]), (.perChannel(axis: 1), [3, 1]), (.perTensor, [3, 5]),
    ]

    @Test(arguments: layouts.indices, grids.indices)
    func equalsFakeQuantizeAddAndCount(layout: Int, grid: Int) throws {
        let (granularity, blockShape) = Self.layouts[layout]
        let g = grids[grid]
        var stream = ErrorMetrics.Stream(maxAbsoluteError: 0.5)
        var expectedStream = ErrorMetrics.Stream(maxAbsoluteError: 0.5)
        var clipped = 0
        var expectedClipped = 0
        // Two blocks of 4 rows (a multiple of 4 elements), then one of `blockShape`, ragged when its element
        // count is not a multiple of 4.
        for block in 0..<3 {
            let shape = block < 2 ? [4] + blockShape.dropFirst() : blockShape
            let count = shape.reduce(1, *)
            let x = awkwardValues(count: count, scale: g.scale, seed: UInt64(100 * layout + 10 * grid + block))
            let l = try ParameterLayout(granularity: granularity, shape: shape)
            let scales = (0..<l.parameterCount).map { g.scale * (1 + Float($0 % 3) / 8) }
            let zeros = (0..<l.parameterCount).map { k in
                Swift.min(g.format.qmax, Swift.max(g.format.qmin, g.zero + Int32(k % 3) - 1))
            }
            let p = try QuantizationParameters(
                format: g.format, rounding: g.rounding, layout: l, scales: scales, zeroPoints: zeros,
                multipliesByReciprocal: g.reciprocal)
            let fused = try x.withUnsafeBufferPointer { try stream.addFakeQuantized(reference: $0, parameters: p) }
            let c = try #require(fused)
            clipped += c
            expectedClipped += try Self.reference(x, p, into: &expectedStream)
        }
        #expect(bits(stream.metrics) == bits(expectedStream.metrics))
        #expect(clipped == expectedClipped)
    }

    /// Layouts the kernels walk in varying runs (per channel along the last axis, per group shorter than 16)
    /// are not fused: nothing is added and the caller measures them the old way.
    @Test func varyingRunsAreLeftToTheCaller() throws {
        for (granularity, shape) in [
            (Granularity.perChannel(axis: 1), [8, 5]), (.perGroup(axis: 1, size: 8), [4, 32]),
        ] {
            let l = try ParameterLayout(granularity: granularity, shape: shape)
            let p = try QuantizationParameters(
                format: .int8, layout: l, scales: [Float](repeating: 0.1, count: l.parameterCount),
                zeroPoints: [Int32](repeating: 0, count: l.parameterCount))
            var stream = ErrorMetrics.Stream()
            let x = [Float](repeating: 1, count: l.count)
            let fused = try x.withUnsafeBufferPointer { try stream.addFakeQuantized(reference: $0, parameters: p) }
            #expect(fused == nil && stream.metrics.count == 0)
        }
    }
}
