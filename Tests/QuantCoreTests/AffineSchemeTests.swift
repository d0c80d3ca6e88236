import QuantCore
import TestSupport
import Testing

/// Every format of 2…16 bits, signed and unsigned, full and narrow range.
let allFormats: [IntegerFormat] = (2...16).flatMap { bits in
    [false, true].flatMap { signed in
        [false, true].compactMap { narrow in try? IntegerFormat(bits: bits, signed: signed, narrow: narrow) }
    }
}

@Suite struct IntegerFormatTests {
    @Test(arguments: 2...16)
    func ranges(bits: Int) throws {
        let s = try IntegerFormat(bits: bits, signed: true)
        #expect(Int(s.qmin) == -(1 << (bits - 1)) && Int(s.qmax) == (1 << (bits - 1)) - 1)
        let sn = s.withNarrowRange(true)
        #expect(sn.qmin == -sn.qmax)
        let u = try IntegerFormat(bits: bits, signed: false)
        #expect(u.qmin == 0 && Int(u.qmax) == (1 << bits) - 1)
        #expect(u.withNarrowRange(true).qmax == u.qmax - 1)
        #expect(s.codeCount == 1 << bits)
    }

    @Test(arguments: [0, 1, 17, 32])
    func rejectsWidth(bits: Int) {
        #expect(throws: QuantizationError.bitWidthOutOfRange(bits)) { try IntegerFormat(bits: bits, signed: true) }
    }
}

@Suite struct AffineSchemeTests {
    @Test(arguments: CompatibilityProfile.allCases, Symmetry.allCases)
    func zeroIsExactForEveryFormat(profile: CompatibilityProfile, symmetry: Symmetry) throws {
        if profile == .tensorrt && symmetry == .asymmetric { return }
        var rng = SplitMix64(seed: 7)
        for format in allFormats {
            let scheme = try AffineScheme(format: format, symmetry: symmetry, profile: profile)
            for _ in 0..<20 {
                let a = Float.random(in: -100...100, using: &rng)
                let b = Float.random(in: -100...100, using: &rng)
                let p = scheme.parameters(min: Swift.min(a, b), max: Swift.max(a, b))
                #expect(p.scale.isFinite && p.scale > 0)
                #expect(p.zeroPoint >= format.qmin && p.zeroPoint <= format.qmax, "\(format) \(profile)")
                let params = try scheme.parameters(mins: [Swift.min(a, b)], maxs: [Swift.max(a, b)], shape: [1])
                let q: [Int32] = try params.quantize([0])
                #expect(q == [p.zeroPoint])
                #expect(try params.dequantize(q) == [0])
            }
        }
    }

    @Test func trtRejectsAsymmetric() {
        #expect(throws: QuantizationError.self) { try AffineScheme(symmetry: .asymmetric, profile: .tensorrt) }
    }

    @Test(arguments: CompatibilityProfile.allCases)
    func degenerateRangesNeverNaN(profile: CompatibilityProfile) throws {
        let scheme = try AffineScheme(format: .uint8, symmetry: .symmetric, profile: profile)
        let cases: [(Float, Float, DegenerateRange.Reason)] = [
            (0, 0, .zeroWidth), (.infinity, -.infinity, .empty), (.nan, 1, .nonFinite), (-.infinity, 2, .nonFinite),
        ]
        for (lo, hi, reason) in cases {
            let p = scheme.parameters(min: lo, max: hi)
            #expect(p.scale.isFinite && p.scale > 0)
            #expect(p.degenerate == reason, "\(profile) [\(lo), \(hi)]")
        }
        // A dead channel among live ones is reported with its index.
        let perChannel = try AffineScheme(format: .uint8, granularity: .perChannel(axis: 0), profile: profile)
        let params = try perChannel.parameters(mins: [-1, 0, -2], maxs: [1, 0, 2], shape: [3, 4])
        #expect(params.warnings.map(\.parameterIndex) == [1])
    }

    @Test func ptqkitPolicy() throws {
        let fixed = try AffineScheme(format: .int8, degenerateRangePolicy: .fixedScale(0.5))
        #expect(fixed.parameters(min: 0, max: 0).scale == 0.5)
        let unit = try AffineScheme(format: .uint8, symmetry: .asymmetric)
        let p = unit.parameters(min: 0, max: 0)
        #expect(p.scale == 1 && p.zeroPoint == 128 && p.degenerate == .zeroWidth)
        let tiny = unit.parameters(min: 0, max: .leastNonzeroMagnitude)
        #expect(tiny.degenerate == .belowMinimumScale && tiny.scale == 1)
    }

    @Test(arguments: Symmetry.allCases)
    func powerOfTwoScaleRoundsUp(symmetry: Symmetry) throws {
        let plain = try AffineScheme(format: .int8, symmetry: symmetry)
        let pow2 = try AffineScheme(format: .int8, symmetry: symmetry, powerOfTwoScale: true)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let lo = -Float.random(in: 0...10, using: &rng)
            let hi = Float.random(in: 0.001...10, using: &rng)
            let a = plain.parameters(min: lo, max: hi)
            let b = pow2.parameters(min: lo, max: hi)
            #expect(b.scale >= a.scale && b.scale < 2 * a.scale)
            #expect(b.scale.significand == 1)
        }
    }
}

/// ptqkit scales for ranges at the ends of the Float range: fake quantization of every finite input,
/// ±Float.greatestFiniteMagnitude included, stays finite (no code dequantizes to ±Inf), for every
/// format, both symmetries and power-of-two scales; ordinary ranges are left as they were.
@Suite struct AffineSchemeFiniteCodesTests {
    static let extremes: [(Float, Float)] = [
        (-.greatestFiniteMagnitude, .greatestFiniteMagnitude), (0, .greatestFiniteMagnitude),
        (-.greatestFiniteMagnitude, 0), (-1e30, 3e38), (-3e38, 1),
        (.greatestFiniteMagnitude.nextDown, .greatestFiniteMagnitude),
    ]

    @Test(arguments: Symmetry.allCases, [false, true])
    func everyReachableCodeDequantizesFinite(symmetry: Symmetry, powerOfTwo: Bool) throws {
        let inputs: [Float] = [-.greatestFiniteMagnitude, -3e38, -1, 0, 1, 3e38, .greatestFiniteMagnitude]
        for format in allFormats {
            let scheme = try AffineScheme(format: format, symmetry: symmetry, powerOfTwoScale: powerOfTwo)
            for (lo, hi) in Self.extremes {
                let p = try scheme.parameters(mins: [lo], maxs: [hi], shape: [inputs.count])
                #expect(p.scales[0].isFinite && p.scales[0] > 0)
                var output = [Float](repeating: 0, count: inputs.count)
                try inputs.withUnsafeBufferPointer { (x) throws(QuantizationError) in
                    try output.withUnsafeMutableBufferPointer { (y) throws(QuantizationError) in
                        try p.fakeQuantize(x, into: y)
                    }
                }
                #expect(
                    output.allSatisfy { $0.isFinite },
                    "\(format) \(symmetry) [\(lo), \(hi)] scale \(p.scales[0]): \(output)")
                if powerOfTwo { #expect(p.scales[0].significand == 1, "\(p.scales[0])") }
            }
        }
    }

    @Test func ordinaryRangesAreUnchanged() throws {
        let scheme = try AffineScheme(format: .int8, symmetry: .symmetric)
        #expect(scheme.parameters(min: -1, max: 2).scale == Float(2.0 / 127.0))
        #expect(scheme.parameters(min: -1e38, max: 1e38).scale == Float(1e38 / 127.0))
    }
}
