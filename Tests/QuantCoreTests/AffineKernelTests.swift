import CMomentKernels
import Foundation
import QuantCore
import TestSupport
import Testing

/// Random values mostly inside [lo, hi], some beyond it, with exact ties of x/s sprinkled in by the caller.
func randomValues(_ n: Int, lo: Float, hi: Float, using rng: inout SplitMix64) -> [Float] {
    let width = hi - lo
    return (0..<n).map { _ in Float.random(in: (lo - 0.1 * width)...(hi + 0.1 * width), using: &rng) }
}

/// The granularities exercised on a [5, 7, 19] tensor (axis lengths chosen so groups are partial).
let kernelGranularities: [Granularity] = [
    .perTensor, .perChannel(axis: 0), .perChannel(axis: 1), .perChannel(axis: -1),
    .perGroup(axis: 2, size: 4), .perGroup(axis: 1, size: 3), .perGroup(axis: 0, size: 2), .perGroup(axis: 2, size: 32),
]

@Suite struct AffineKernelTests {
    /// The SIMD kernels agree with the scalar definition `clamp(round(x/s) + z)` element by element.
    @Test(arguments: kernelGranularities, [RoundingRule.toNearestOrEven, .toNearestOrAwayFromZero])
    func kernelsMatchScalarDefinition(granularity: Granularity, rounding: RoundingRule) throws {
        var rng = SplitMix64(seed: 11)
        let shape = [5, 7, 19]
        var x = randomValues(5 * 7 * 19, lo: -3, hi: 5, using: &rng)
        for profile in [CompatibilityProfile.ptqkit, .pytorch] {
            for format in [IntegerFormat.int8, .uint4, .int16] {
                let scheme = try AffineScheme(
                    format: format, symmetry: .asymmetric, rounding: rounding, granularity: granularity,
                    profile: profile)
                var params = try scheme.parameters(fitting: x, shape: shape)
                // Put exact ties x/s = k + 0.5 into the input to check the rounding rule.
                let layout = params.layout
                for i in stride(from: 0, to: x.count, by: 5) {
                    let k = layout.parameterIndex(ofElement: i)
                    x[i] = (Float(i % 9) - 4.5) * params.scales[k]
                }
                params = try scheme.parameters(fitting: x, shape: shape)
                let codes: [Int32] = try params.quantize(x)
                let codes16: [Int16] = try params.quantize(x)
                let fake = try params.fakeQuantize(x)
                let back = try params.dequantize(codes)
                for i in x.indices {
                    let k = layout.parameterIndex(ofElement: i)
                    let q = params.quantize(x[i], parameter: k)
                    #expect(codes[i] == q, "element \(i) x=\(x[i]) \(format) \(profile)")
                    #expect(Int32(codes16[i]) == q)
                    #expect(back[i].bitPattern == params.dequantize(q, parameter: k).bitPattern)
                    #expect(fake[i].bitPattern == back[i].bitPattern, "fake-quantize equals dequantize(quantize)")
                }
            }
        }
    }

    @Test func codeTypeTooNarrowIsRejected() throws {
        let params = try AffineScheme(format: .uint8).parameters(fitting: [1, 2, 3], shape: [3])
        #expect(throws: QuantizationError.self) { let _: [Int8] = try params.quantize([1, 2, 3]) }
        #expect(throws: QuantizationError.self) { let _: [UInt8] = try params.quantize([1, 2]) }
    }

    @Test func nanAndInfinity() throws {
        let params = try AffineScheme(format: .int8, symmetry: .asymmetric).parameters(
            mins: [-1], maxs: [2], shape: [4])
        let q: [Int8] = try params.quantize([.nan, .infinity, -.infinity, 0])
        #expect(q == [Int8(params.zeroPoints[0]), 127, -128, Int8(params.zeroPoints[0])])
    }
}

@Suite struct QuantizationParametersCodingTests {
    /// Parameters survive a JSON round trip; tampered JSON (zero-point outside the codes, bad width) is rejected.
    @Test func jsonRoundTripAndValidation() throws {
        let scheme = try AffineScheme(format: .uint4, symmetry: .asymmetric, granularity: .perGroup(axis: -1, size: 3))
        let params = try scheme.parameters(mins: [-1, 0, -2, 0], maxs: [1, 0, 2, 5], shape: [2, 5])
        let data = try JSONEncoder().encode(params)
        #expect(try JSONDecoder().decode(QuantizationParameters.self, from: data) == params)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["zeroPoints"] = [99, 0, 0, 0]  // 99 is not a uint4 code
        let badZero = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(QuantizationParameters.self, from: badZero) }
        let text = try #require(String(data: data, encoding: .utf8))
        let badBits = text.replacingOccurrences(of: "\"bits\":4", with: "\"bits\":40")
        #expect(badBits != text)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(QuantizationParameters.self, from: Data(badBits.utf8))
        }
    }

    @Test func invalidPairsAreRejected() throws {
        let layout = try Granularity.perTensor.layout(shape: [3])
        #expect(throws: QuantizationError.invalidParameter(index: 0, scale: 0, zeroPoint: 0)) {
            try QuantizationParameters(format: .int8, layout: layout, scales: [0], zeroPoints: [0])
        }
        #expect(throws: QuantizationError.invalidParameter(index: 0, scale: 1, zeroPoint: 300)) {
            try QuantizationParameters(format: .uint8, layout: layout, scales: [1], zeroPoints: [300])
        }
    }
}

/// `ptqkit_quantize_codes` (the Int32 codes of a uniform run, AVX2 or portable C) on each code path, and
/// `quantize` into Int32 (which takes it) against codes derived here from the definition:
/// q = clamp(round(x/s) + z, qmin, qmax) with x · (1/s) for the reciprocal profiles, the run's rounding rule,
/// NaN → z. Values: normals past the grid on both sides, exact ties (k + ½)·s, ±0, NaN, ±Inf; counts that
/// are not multiples of 8.
@Suite struct QuantizeCodesKernelTests {
    typealias Grid = (format: IntegerFormat, scale: Float, zero: Int32, rounding: RoundingRule, reciprocal: Bool)

    static let grids: [Grid] = [
        (.int8, 0.0625, 0, .toNearestOrEven, false), (.int8, 0.0625, -7, .toNearestOrAwayFromZero, false),
        (.int8, 0.0173, 3, .toNearestOrEven, true), (.int4, 0.25, 0, .toNearestOrAwayFromZero, true),
        (.int4, 0.37, -2, .toNearestOrEven, false), (.uint8, 0.125, 128, .toNearestOrEven, false),
        (.uint8, 0.0291, 17, .toNearestOrAwayFromZero, true), (.int16, 0.001, 5, .toNearestOrAwayFromZero, false),
    ]

    static func values(count: Int, scale: Float, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let qrange: Float = 140
        var x = (0..<count).map { _ in Float(rng.normal()) * scale * qrange * 0.6 }
        for i in stride(from: 0, to: count, by: 3) { x[i] = (Float(Int(rng.next() % 61)) - 30.5) * scale }
        for i in stride(from: 2, to: count, by: 11) { x[i] = i % 2 == 0 ? -0.0 : 0.0 }
        for i in stride(from: 5, to: count, by: 17) { x[i] = [Float.nan, .infinity, -.infinity][(i / 17) % 3] }
        return x
    }

    static func expected(_ x: Float, _ g: Grid) -> Int32 {
        let v = g.reciprocal ? x * (1 / g.scale) : x / g.scale
        guard !v.isNaN else { return g.zero }
        let rule: FloatingPointRoundingRule =
            g.rounding == .toNearestOrEven ? .toNearestOrEven : .toNearestOrAwayFromZero
        let clamped = Swift.min(Swift.max(v, Float(g.format.qmin - g.zero)), Float(g.format.qmax - g.zero))
        return Int32(clamped.rounded(rule)) + g.zero
    }

    @Test(arguments: grids.indices, [0, 3, 8, 13, 64, 1001])
    func everyPathAndQuantizeEqualTheDefinition(grid: Int, count: Int) throws {
        let g = Self.grids[grid]
        let x = Self.values(count: count, scale: g.scale, seed: UInt64(grid * 10_000 + count))
        let want = x.map { Self.expected($0, g) }
        var run = ptqkit_affine_run(
            scale: g.scale, lo: Float(g.format.qmin - g.zero), hi: Float(g.format.qmax - g.zero), clip_low: 0,
            clip_high: 0, reciprocal: g.reciprocal ? 1 : 0, away: g.rounding == .toNearestOrAwayFromZero ? 1 : 0)
        for path: Int32 in [0, 1] {
            var q = [Int32](repeating: .min, count: count)
            x.withUnsafeBufferPointer { xp in
                q.withUnsafeMutableBufferPointer { qp in
                    ptqkit_quantize_codes_on(path, xp.baseAddress, count, &run, g.zero, qp.baseAddress)
                }
            }
            let wrong = zip(x, zip(q, want)).filter { $1.0 != $1.1 }.prefix(3)
            #expect(q == want, "path \(path): \(Array(wrong)) (x, (got, want))")
        }
        let p = try QuantizationParameters(
            format: g.format, rounding: g.rounding, layout: ParameterLayout(granularity: .perTensor, shape: [count]),
            scales: [g.scale], zeroPoints: [g.zero], multipliesByReciprocal: g.reciprocal)
        let viaQuantize: [Int32] = try p.quantize(x)
        #expect(viaQuantize == want)
        #expect(ptqkit_quantize_codes_path() == 1 || ptqkit_quantize_codes_path() == 0)
    }
}
