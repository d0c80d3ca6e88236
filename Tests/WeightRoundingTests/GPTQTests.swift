import Foundation
import Observers
import QuantCore
import TestSupport
import Testing

@testable import WeightRounding

/// GPTQ's parts and invariants beyond the reference goldens.
struct GPTQTests {
    /// A random symmetric positive definite matrix A·Aᵀ + n·I.
    static func spd(_ n: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        let a = (0..<(n * n)).map { _ in g.uniform() - 0.5 }
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += a[i * n + k] * a[j * n + k] }
                h[i * n + j] = s + (i == j ? 0.1 : 0)
            }
        }
        return h
    }

    @Test(arguments: [1, 7, 33, 70])
    func upperFactorOfInverseTimesHIsIdentity(n: Int) throws {
        let h = Self.spd(n, seed: UInt64(n))
        let u = try InverseCholesky.upperFactorOfInverse(h, n: n)
        // panels change the loop order, not any sum: identical factors
        for panel in [1, 5, 64] { #expect(try InverseCholesky.upperFactorOfInverse(h, n: n, panel: panel) == u) }
        // U upper with a positive diagonal, and UᵀU·H = I
        for i in 0..<n {
            #expect(u[i * n + i] > 0)
            for j in 0..<i { #expect(u[i * n + j] == 0) }
        }
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var v = 0.0
                for k in 0..<n {
                    var inv = 0.0  // (UᵀU)[i][k]
                    for l in 0..<n { inv += u[l * n + i] * u[l * n + k] }
                    v += inv * h[k * n + j]
                }
                worst = max(worst, abs(v - (i == j ? 1 : 0)))
            }
        }
        #expect(worst < 1e-8, "max |UᵀU·H − I| = \(worst)")
    }

    @Test func notPositiveDefiniteIsAnError() {
        // [[1, 2], [2, 1]] has eigenvalues 3 and −1
        #expect(throws: WeightRoundingError.self) {
            _ = try InverseCholesky.upperFactorOfInverse([1, 2, 2, 1], n: 2)
        }
    }

    /// A layer with correlated inputs, W [out, in].
    static func layer(outputs: Int = 12, inputs: Int = 40, rows: Int = 200) -> GoldenLayerData {
        GoldenLayerData(seed: 99, outputs: outputs, inputs: inputs, rows: rows, dead: [7])
    }

    @Test func kerasOrientationGivesTheTransposedCodes() throws {
        let data = Self.layer()
        let stats = try moments(of: data.x, rows: data.rows, features: data.inputs)
        let pytorch = try WeightMatrix(stored: data.w, shape: [data.outputs, data.inputs], inputAxis: 1)
        var transposed = [Float](repeating: 0, count: data.w.count)
        for o in 0..<data.outputs {
            for i in 0..<data.inputs { transposed[i * data.outputs + o] = data.w[o * data.inputs + i] }
        }
        let keras = try WeightMatrix(stored: transposed, shape: [data.inputs, data.outputs], inputAxis: 0)
        #expect(keras.values == pytorch.values)
        let gptq = GPTQ(blockSize: 16, actOrder: true)
        let a = try gptq.quantize(
            pytorch, moments: stats, scheme: AffineScheme(format: .int4, granularity: .perGroup(axis: 1, size: 8)))
        let b = try gptq.quantize(
            keras, moments: stats, scheme: AffineScheme(format: .int4, granularity: .perGroup(axis: 0, size: 8)))
        #expect(keras.stored(a.codes) == b.codes)
        #expect(try a.effectiveWeight(pytorch) == b.effectiveWeight(keras))
        #expect(b.parameters.shape == [data.inputs, data.outputs])
        #expect(b.parameters.layout.parameterShape == [5, data.outputs])
    }

    @Test func deadInputsAreZeroedAndTheRestStillImproves() throws {
        let data = Self.layer()
        let stats = try moments(of: data.x, rows: data.rows, features: data.inputs)
        let weight = try WeightMatrix(stored: data.w, shape: [data.outputs, data.inputs], inputAxis: 1)
        let scheme = try AffineScheme(format: .int4, granularity: .perChannel(axis: 0))
        let rounded = try GPTQ().quantize(weight, moments: stats, scheme: scheme)
        let effective = try rounded.effectiveWeight(weight)
        for o in 0..<data.outputs { #expect(effective[o * data.inputs + 7] == 0) }
        let rtn = try scheme.parameters(fitting: data.w, shape: [data.outputs, data.inputs])
        let rtnWeight = try rtn.fakeQuantize(data.w).map(Double.init)
        let gptqSQNR = outputSQNR(
            x: data.x, rows: data.rows, w: data.w, effective: effective, outputs: data.outputs, inputs: data.inputs)
        let rtnSQNR = outputSQNR(
            x: data.x, rows: data.rows, w: data.w, effective: rtnWeight, outputs: data.outputs, inputs: data.inputs)
        #expect(gptqSQNR > rtnSQNR + 2, "GPTQ \(gptqSQNR) dB, RTN \(rtnSQNR) dB")
    }

    @Test func parametersAreTheOnesTheCodesWereRoundedWith() throws {
        let data = Self.layer()
        let stats = try moments(of: data.x, rows: data.rows, features: data.inputs)
        let weight = try WeightMatrix(stored: data.w, shape: [data.outputs, data.inputs], inputAxis: 1)
        let scheme = try AffineScheme(
            format: .uint4, symmetry: .asymmetric, granularity: .perGroup(axis: 1, size: 16))
        let rounded = try GPTQ(blockSize: 128).quantize(weight, moments: stats, scheme: scheme)
        #expect(rounded.parameters.layout.parameterShape == [data.outputs, 3])
        // every code is within the format and the dequantized weight stays within half a step of its grid's range
        #expect(rounded.codes.allSatisfy { (0...15).contains($0) })
    }

    @Test func refusals() throws {
        let data = Self.layer()
        let stats = try moments(of: data.x, rows: data.rows, features: data.inputs, gram: false)
        let weight = try WeightMatrix(stored: data.w, shape: [data.outputs, data.inputs], inputAxis: 1)
        let scheme = try AffineScheme(format: .int4, granularity: .perChannel(axis: 0))
        #expect(throws: WeightRoundingError.self) { try GPTQ().quantize(weight, moments: stats, scheme: scheme) }
        let full = try moments(of: data.x, rows: data.rows, features: data.inputs)
        let alongInputs = try AffineScheme(format: .int4, granularity: .perChannel(axis: 1))
        #expect(throws: WeightRoundingError.self) { try GPTQ().quantize(weight, moments: full, scheme: alongInputs) }
        #expect(throws: WeightRoundingError.self) {
            try WeightMatrix(stored: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2], inputAxis: 1)
        }
        #expect(throws: WeightRoundingError.nonFiniteWeight) {
            try WeightMatrix(stored: [1, .nan, 3, 4], shape: [2, 2], inputAxis: 1)
        }
    }
}
