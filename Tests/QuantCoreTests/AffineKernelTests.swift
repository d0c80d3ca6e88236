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
