import QuantCore
import TestSupport
import Testing

@testable import Calibrator

/// The weights' clipped count (runs of elements sharing one parameter, eight lanes at a time) equals the
/// element-by-element definition: a finite element outside its parameter's representable range widened
/// by half a step, per tensor, per channel along axis 0 and 1, and per group, with NaN and ±Inf.
@Suite struct ClippedCountTests {
    static func reference(_ values: [Float], _ p: QuantizationParameters) -> (clipped: Int, finite: Int) {
        var clipped = 0
        var finite = 0
        for (i, x) in values.enumerated() where x.isFinite {
            finite += 1
            let k = p.layout.parameterIndex(ofElement: i)
            let r = p.representableRange(parameter: k)
            if !((r.lowerBound - p.scales[k] / 2)...(r.upperBound + p.scales[k] / 2)).contains(x) { clipped += 1 }
        }
        return (clipped, finite)
    }

    @Test(arguments: [
        Granularity.perTensor, .perChannel(axis: 0), .perChannel(axis: 1), .perGroup(axis: 1, size: 16),
    ])
    func equalsTheElementwiseDefinition(granularity: Granularity) throws {
        var rng = SplitMix64(seed: 3)
        let shape = [13, 67]
        let values = (0..<(13 * 67)).map { i -> Float in
            if i % 101 == 7 { return [Float.nan, .infinity, -.infinity][i % 3] }
            return Float.random(in: -1...1, using: &rng) * (i % 29 == 0 ? 8 : 1)
        }
        let layout = try ParameterLayout(granularity: granularity, shape: shape)
        // Ranges of about half the data's, so that many elements clip.
        let mins = [Float](repeating: -0.5, count: layout.parameterCount)
        let maxs = (0..<layout.parameterCount).map { Float(0.3) + Float($0 % 5) * 0.1 }
        let scheme = try AffineScheme(format: .int8, symmetry: .asymmetric, granularity: granularity)
        let p = try scheme.parameters(mins: mins, maxs: maxs, shape: shape)
        let fast = values.withUnsafeBufferPointer { Calibrator.clippedCount($0, parameters: p) }
        let expected = Self.reference(values, p)
        #expect(fast.clipped == expected.clipped)
        #expect(fast.finite == expected.finite)
        #expect(expected.clipped > 0)
    }
}
