import Foundation
import QuantCore
import TestSupport
import Testing

/// Tests/Fixtures/float/scaled_goldens.json, written by make_float_goldens.py (numpy + ml_dtypes).
struct ScaledGoldens: Decodable {
    struct Case: Decodable {
        let format: String
        let granularity: String
        let axis: Int?
        let groupSize: Int?
        let scaleRule: String
        let scales: [UInt32]
        let codes: String
        let dequantizedFNV1a64: String
    }

    let seed: UInt64
    let shape: [Int]
    let inputFNV1a64: String
    let cases: [Case]

    static func load() throws -> ScaledGoldens { try TestPaths.decodeFixture("float/scaled_goldens.json") }

    /// The script's tensor: row r is ((next() >> 40) · 2^−23 − 1) · 2^(r % 5 − 2), row 2 zeros.
    func tensor() -> [Float] {
        var rng = SplitMix64(seed: seed)
        var x: [Float] = []
        for r in 0..<shape[0] {
            for _ in 0..<shape[1] {
                let v =
                    (Float(UInt32(rng.next() >> 40)) * 0x1p-23 - 1)
                    * Float(sign: .plus, exponent: r % 5 - 2, significand: 1)
                x.append(r == 2 ? 0 : v)
            }
        }
        return x
    }
}

@Suite("FloatFormatQuantizer")
struct FloatFormatQuantizerTests {
    static let formats: [String: FloatFormat] = [
        "float8_e4m3fn": .fp8E4M3FN, "float8_e5m2": .fp8E5M2, "float6_e3m2fn": .fp6E3M2, "float4_e2m1fn": .fp4E2M1,
    ]

    static func quantize(_ x: [Float], shape: [Int], _ q: FloatFormatQuantizer) throws -> FloatFormatQuantizer.Quantized
    {
        try x.withUnsafeBufferPointer { x throws(FloatFormatError) in try q.quantize(x, shape: shape) }
    }

    static func dequantize(_ quantized: FloatFormatQuantizer.Quantized, _ q: FloatFormatQuantizer) throws -> [Float] {
        var values = [Float](repeating: .nan, count: quantized.codes.count)
        try values.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
            try q.dequantize(quantized, into: out)
        }
        return values
    }

    @Test("Scales, codes and dequantized values equal numpy + ml_dtypes for every granularity")
    func matchesGoldens() throws {
        let goldens = try ScaledGoldens.load()
        let x = goldens.tensor()
        var inputDigest = FNV1a64()
        for v in x { inputDigest.add(littleEndian: v.bitPattern) }
        try #require(inputDigest.hex == goldens.inputFNV1a64, "tensor generator diverged from the script")
        #expect(goldens.cases.count == 40)
        for golden in goldens.cases {
            let format = try #require(Self.formats[golden.format])
            let granularity: Granularity
            switch golden.granularity {
            case "perTensor": granularity = .perTensor
            case "perChannel": granularity = .perChannel(axis: try #require(golden.axis))
            default: granularity = .perGroup(axis: try #require(golden.axis), size: try #require(golden.groupSize))
            }
            let rule: FloatFormatQuantizer.ScaleRule =
                golden.scaleRule == "powerOfTwo" ? .powerOfTwo : .amaxOverMaxFinite
            let q = try FloatFormatQuantizer(format: format, granularity: granularity, scaleRule: rule)
            let quantized = try Self.quantize(x, shape: goldens.shape, q)
            let label = "\(golden.format) \(golden.granularity) axis \(String(describing: golden.axis)) \(rule)"
            #expect(quantized.scales.map(\.bitPattern) == golden.scales, "\(label)")
            let hex = quantized.codes.map { String(format: "%02x", $0) }.joined()
            #expect(hex == golden.codes, "\(label)")
            var digest = FNV1a64()
            for v in try Self.dequantize(quantized, q) { digest.add(littleEndian: v.bitPattern) }
            #expect(digest.hex == golden.dequantizedFNV1a64, "\(label)")
            #expect(try q.layout(for: goldens.shape).parameterCount == quantized.scales.count)
        }
    }

    /// A [5, 7, 3] tensor with varied magnitudes per slice, from the test PRNG.
    static func randomTensor(seed: UInt64, count: Int) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            Float(Int32(truncatingIfNeeded: rng.next() >> 32)) * 0x1p-31 * Float(1 << (i % 7))
        }
    }

    @Test("Per channel equals per tensor applied to each channel", arguments: [0, 1, 2])
    func perChannelIsPerTensorPerSlice(axis: Int) throws {
        let shape = [5, 7, 3]
        let x = Self.randomTensor(seed: 0xC4A7, count: 105)
        let channel = try FloatFormatQuantizer(format: .fp8E4M3FN, granularity: .perChannel(axis: axis))
        let tensor = try FloatFormatQuantizer(format: .fp8E4M3FN, granularity: .perTensor)
        let whole = try Self.quantize(x, shape: shape, channel)
        #expect(whole.scales.count == shape[axis])
        let strides = [21, 3, 1]
        for c in 0..<shape[axis] {
            // Indices of the slice with index c along `axis`.
            let indices = (0..<105).filter { ($0 / strides[axis]) % shape[axis] == c }
            let slice = try Self.quantize(indices.map { x[$0] }, shape: [indices.count], tensor)
            #expect(slice.scales == [whole.scales[c]])
            #expect(slice.codes == indices.map { whole.codes[$0] })
        }
    }

    @Test("Per group: partial last group, groups along inner and outer axes", arguments: [(1, 3), (2, 2), (0, 2)])
    func perGroupBlocks(axis: Int, size: Int) throws {
        let shape = [5, 7, 3]
        let x = Self.randomTensor(seed: 0x6A0, count: 105)
        let q = try FloatFormatQuantizer(format: .fp4E2M1, granularity: .perGroup(axis: axis, size: size))
        let quantized = try Self.quantize(x, shape: shape, q)
        var scaleShape = shape
        scaleShape[axis] = (shape[axis] + size - 1) / size
        #expect(try q.layout(for: shape).parameterShape == scaleShape)
        #expect(quantized.scales.count == scaleShape.reduce(1, *))
        // Reference: every element's block by explicit index arithmetic, amax / 6.
        var amax = [Float](repeating: 0, count: quantized.scales.count)
        var block = [Int](repeating: 0, count: 105)
        for (i, v) in x.enumerated() {
            var index = [i / 21, (i / 3) % 7, i % 3]
            index[axis] /= size
            block[i] = (index[0] * scaleShape[1] + index[1]) * scaleShape[2] + index[2]
            amax[block[i]] = max(amax[block[i]], abs(v))
        }
        #expect(quantized.scales == amax.map { $0 / 6 })
        let values = try Self.dequantize(quantized, q)
        for i in 0..<105 {
            let scale = quantized.scales[block[i]]
            #expect(quantized.codes[i] == UInt8(FloatFormat.fp4E2M1.encode(x[i] / scale, options: .saturating)))
            #expect(values[i] == FloatFormat.fp4E2M1.decode(UInt32(quantized.codes[i])) * scale)
            // |x − x̂| ≤ half the largest spacing of E2M1 (2 at the top binade) times the scale.
            #expect(abs(x[i] - values[i]) <= scale)
        }
    }

    @Test("Block amax maps to ±max finite; zero blocks get scale 1; Inf saturates; NaN stays NaN")
    func degenerateBlocks() throws {
        let q = try FloatFormatQuantizer(format: .fp8E4M3FN, granularity: .perChannel(axis: 0))
        let tiny = Float.leastNormalMagnitude / 64  // a subnormal: tiny / 448 would underflow
        let x: [Float] = [0, 0, 0, 0, -3, 1, 2, 0.5, .infinity, .nan, tiny, -2 * tiny]
        let quantized = try Self.quantize(x, shape: [3, 4], q)
        #expect(quantized.scales[0] == 1)
        #expect(quantized.scales[1] == Float(3) / 448)
        #expect(quantized.scales[2] == Float.leastNormalMagnitude)
        #expect(quantized.codes[0..<4].allSatisfy { $0 == 0 })
        #expect(quantized.codes[4] == 0xFE)  // −amax → −448
        #expect(quantized.codes[8] == 0x7E)  // +Inf saturates
        #expect(quantized.codes[9] & 0x7F == 0x7F)  // NaN
        let values = try Self.dequantize(quantized, q)
        #expect(values[0..<4].allSatisfy { $0 == 0 })
        #expect(values[4] == -3)
        #expect(values[9].isNaN && values[10...].allSatisfy(\.isFinite))
    }

    @Test(
        "Power-of-two (MX) scales: amax / scale in [2^emax, 2^(emax+1)), fake-quantize = quantize + dequantize",
        arguments: FloatFormatTests.small)
    func powerOfTwoScales(format: FloatFormat) throws {
        let shape = [5, 7, 3]
        let x = Self.randomTensor(seed: 0x3A, count: 105)
        let q = try FloatFormatQuantizer(
            format: format, granularity: .perGroup(axis: 1, size: 4), scaleRule: .powerOfTwo)
        let quantized = try Self.quantize(x, shape: shape, q)
        let (mins, maxs) = try x.withUnsafeBufferPointer { try q.layout(for: shape).finiteMinMax($0) }
        let emax = format.maxFinite.exponent
        for (scale, (low, high)) in zip(quantized.scales, zip(mins, maxs)) {
            #expect(scale.significandBitPattern == 0 && scale.isNormal)  // a power of two
            let amax = max(-low, high)
            #expect(amax / scale >= Float(sign: .plus, exponent: emax, significand: 1))
            #expect(amax / scale < Float(sign: .plus, exponent: emax + 1, significand: 1))
        }
        var fake = [Float](repeating: .nan, count: 105)
        try x.withUnsafeBufferPointer { x throws(FloatFormatError) in
            try fake.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                try q.fakeQuantize(x, shape: shape, into: out)
            }
        }
        #expect(fake == (try Self.dequantize(quantized, q)))
    }

    @Test("Shapes that do not fit are rejected")
    func rejectsBadShapes() throws {
        let x = [Float](repeating: 1, count: 6)
        let channel = try FloatFormatQuantizer(format: .fp8E5M2, granularity: .perChannel(axis: 2))
        #expect(throws: FloatFormatError.self) { try Self.quantize(x, shape: [2, 3], channel) }
        let tensor = try FloatFormatQuantizer(format: .fp8E5M2, granularity: .perTensor)
        #expect(throws: FloatFormatError.lengthMismatch(input: 6, output: 8)) {
            try Self.quantize(x, shape: [2, 4], tensor)
        }
        #expect(throws: FloatFormatError.self) { try FloatFormatQuantizer(format: .bf16, granularity: .perTensor) }
    }
}
