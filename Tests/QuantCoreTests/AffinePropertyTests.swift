import QuantCore
import TestSupport
import Testing

/// Properties of quantize/dequantize/fake-quantize over random inputs, for every bit width 2…16.
@Suite struct AffinePropertyTests {
    /// Schemes for one bit width: signed/unsigned × symmetric/asymmetric (ptqkit) plus the other profiles.
    static func schemes(bits: Int) throws -> [AffineScheme] {
        var out: [AffineScheme] = []
        for signed in [true, false] {
            let format = try IntegerFormat(bits: bits, signed: signed)
            for symmetry in Symmetry.allCases {
                for profile in CompatibilityProfile.allCases where !(profile == .tensorrt && symmetry == .asymmetric) {
                    out.append(try AffineScheme(format: format, symmetry: symmetry, profile: profile))
                }
            }
        }
        return out
    }

    @Test(arguments: 2...16)
    func boundsZeroAndIdempotence(bits: Int) throws {
        var rng = SplitMix64(seed: UInt64(bits))
        for scheme in try Self.schemes(bits: bits) {
            for trial in 0..<4 {
                let lo: Float = trial == 0 ? 0 : -Float.random(in: 0.001...50, using: &rng)
                let hi: Float = trial == 1 ? 0 : Float.random(in: 0.001...50, using: &rng)
                var x = (0..<203).map { _ in Float.random(in: lo...hi, using: &rng) }
                x[7] = 0
                let params = try scheme.parameters(mins: [lo], maxs: [hi], shape: [x.count])
                let s = params.scales[0]
                let z = params.zeroPoints[0]
                let q: [Int32] = try params.quantize(x)
                let back = try params.dequantize(q)
                let fake = try params.fakeQuantize(x)
                // The grid's real extent; inside it (what ptqkit guarantees for [lo, hi]) the error is ≤ s/2.
                let grid = params.representableRange(parameter: 0)
                for i in x.indices {
                    #expect(q[i] >= scheme.format.qmin && q[i] <= scheme.format.qmax)
                    if grid.contains(x[i]) {
                        // s/2 plus the rounding of x/s and of s·(q − z) in Float.
                        let tolerance = s / 2 * (1 + 4 * Float.ulpOfOne) + abs(x[i]) * 2 * Float.ulpOfOne
                        #expect(abs(x[i] - back[i]) <= tolerance, "\(scheme.profile) \(scheme.format) x=\(x[i]) s=\(s)")
                    }
                }
                #expect(q[7] == z && back[7] == 0 && fake[7] == 0)
                #expect(try params.fakeQuantize(fake) == fake, "fake-quantize is idempotent")
                if scheme.profile == .ptqkit {
                    // ptqkit's grid covers the whole observed range (up to half a step at each end).
                    #expect(grid.lowerBound <= lo + s / 2 * 1.0001 && grid.upperBound >= hi - s / 2 * 1.0001)
                }
            }
        }
    }

    /// Per-channel quantization equals per-tensor quantization of each channel with its own range,
    /// along every axis of a rank-3 tensor.
    @Test(arguments: [0, 1, 2], [4, 8, 16])
    func perChannelEqualsPerTensorPerChannel(axis: Int, bits: Int) throws {
        var rng = SplitMix64(seed: UInt64(axis * 100 + bits))
        let shape = [3, 5, 21]
        let count = shape.reduce(1, *)
        let x = (0..<count).map { i in Float.random(in: -1...1, using: &rng) * Float(1 + i % 7) }
        for symmetry in Symmetry.allCases {
            let format = try IntegerFormat(bits: bits, signed: symmetry == .symmetric)
            let scheme = try AffineScheme(format: format, symmetry: symmetry, granularity: .perChannel(axis: axis))
            let params = try scheme.parameters(fitting: x, shape: shape)
            let q: [Int32] = try params.quantize(x)
            let layout = params.layout
            for c in 0..<shape[axis] {
                let indices = (0..<count).filter { layout.parameterIndex(ofElement: $0) == c }
                let channel = indices.map { x[$0] }
                let single = try AffineScheme(format: format, symmetry: symmetry).parameters(
                    fitting: channel, shape: [channel.count])
                #expect(single.scales[0] == params.scales[c] && single.zeroPoints[0] == params.zeroPoints[c])
                let qc: [Int32] = try single.quantize(channel)
                #expect(qc == indices.map { q[$0] })
            }
        }
    }

    /// Per-group along the last and a middle axis with a partial last group equals per-tensor per group.
    @Test(arguments: [(2, 4), (2, 7), (1, 2), (2, 64)])
    func perGroupWithPartialLastGroup(axis: Int, size: Int) throws {
        var rng = SplitMix64(seed: UInt64(axis * 1000 + size))
        let shape = [2, 5, 23]
        let count = shape.reduce(1, *)
        let x = (0..<count).map { _ in Float.random(in: -3...2, using: &rng) }
        let scheme = try AffineScheme(
            format: .uint4, symmetry: .asymmetric, granularity: .perGroup(axis: axis, size: size))
        let params = try scheme.parameters(fitting: x, shape: shape)
        let layout = params.layout
        let groups = (shape[axis] + size - 1) / size
        #expect(layout.parameterShape == shape.enumerated().map { $0.offset == axis ? groups : $0.element })
        #expect(params.scales.count == layout.parameterCount)
        let q: [Int32] = try params.quantize(x)
        var members = [[Int]](repeating: [], count: layout.parameterCount)
        for i in 0..<count { members[layout.parameterIndex(ofElement: i)].append(i) }
        // Parameter k covers group g = (k / inner) mod groups along the axis: size indices, or
        // shape[axis] − g·size for the partial last group.
        for k in members.indices {
            let g = (k / layout.inner) % groups
            #expect(members[k].count == Swift.min(size, shape[axis] - g * size))
        }
        for (k, idx) in members.enumerated() {
            let values = idx.map { x[$0] }
            let single = try AffineScheme(format: .uint4, symmetry: .asymmetric).parameters(
                fitting: values, shape: [values.count])
            #expect(single.scales[0] == params.scales[k] && single.zeroPoints[0] == params.zeroPoints[k])
            #expect((try single.quantize(values) as [Int32]) == idx.map { q[$0] })
        }
    }
}
