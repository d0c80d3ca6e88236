import QuantCore
import TestSupport
import Testing

/// `a` and `b` are the same Float bit pattern, or both NaN with the same sign.
func sameFloat(_ a: Float, _ b: Float) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN && a.sign == b.sign }
    return a.bitPattern == b.bitPattern
}

@Suite("FloatFormat")
struct FloatFormatTests {
    static let small: [FloatFormat] = [.fp8E4M3FN, .fp8E5M2, .fp8E4M3FNUZ, .fp8E5M2FNUZ, .fp6E3M2, .fp6E2M3, .fp4E2M1]

    @Test("The seed's example: 6.0 is 0x40C00000 in FP32")
    func seedSix() {
        #expect(FloatFormat.fp32.decode(0x40C0_0000) == 6.0)
        #expect(FloatFormat.fp32.encode(Float(6.0)) == 0x40C0_0000)
        #expect(FloatFormat.fp32.encode(6.0 as Double) == 0x40C0_0000)
    }

    @Test("Preset properties agree with Swift's Float")
    func presetsAgreeWithSwift() {
        #expect(FloatFormat.fp32.maxFinite == Float.greatestFiniteMagnitude)
        #expect(FloatFormat.fp32.minNormal == Float.leastNormalMagnitude)
        #expect(FloatFormat.fp32.minSubnormal == Float.leastNonzeroMagnitude)
        #expect(FloatFormat.fp32.codeCount == 1 << 32)
        for format in FloatFormat.presets {
            #expect(format.codeCount == 1 << format.bitWidth)
            #expect(format.bitWidth == 1 + format.exponentBits + format.mantissaBits)
        }
    }

    @Test(
        "Invalid layouts are rejected with a typed error",
        arguments: [
            (0, 3, nil, FloatFormat.SpecialValues.finiteOnly),
            (9, 3, nil, .finiteOnly),
            (4, 24, nil, .finiteOnly),
            (4, 0, nil, .ieee),
            (1, 3, nil, .ieee),
            (4, 3, 200, .finiteAndNaN),
            (4, 3, -130, .finiteAndNaN),
            (8, 23, 126, .ieee),
        ] as [(Int, Int, Int?, FloatFormat.SpecialValues)])
    func rejectsInvalid(e: Int, m: Int, bias: Int?, specials: FloatFormat.SpecialValues) {
        #expect(throws: FloatFormatError.self) {
            try FloatFormat(exponentBits: e, mantissaBits: m, bias: bias, specials: specials)
        }
    }

    @Test("A configurable bias scales every value by a power of two")
    func customBias() throws {
        let shifted = try FloatFormat(exponentBits: 4, mantissaBits: 3, bias: 11, specials: .finiteAndNaN)
        for code in UInt32(0)..<256 where !shifted.isNaN(code) {
            #expect(shifted.decode(code) == FloatFormat.fp8E4M3FN.decode(code) / 16)
            #expect(shifted.encode(shifted.decode(code)) == code)
        }
        #expect(shifted.maxFinite == 28)
    }

    @Test("Every code decodes and re-encodes to itself (NaN codes: NaN-ness and sign)", arguments: small)
    func everyCodeRoundTrips(format: FloatFormat) {
        for code in UInt32(0)..<UInt32(format.codeCount) {
            let value = format.decode(code)
            #expect(value.isNaN == format.isNaN(code))
            for options in [FloatFormat.EncodeOptions.ieee, .mlDtypes, .saturating] {
                let back = format.encode(value, options: options)
                if value.isNaN {
                    #expect(format.isNaN(back) && back & format.signBit == code & format.signBit)
                } else if value.isInfinite && options.overflow == .saturate {
                    #expect(back == (code & format.signBit) | format.maxFiniteMagnitudeCode)
                } else {
                    #expect(back == code, "\(format) code \(code) -> \(value) -> \(back)")
                }
            }
        }
    }

    @Test(
        "Decode is monotone over the finite magnitude codes, with subnormal spacing 2^(1-bias-m)",
        arguments: FloatFormat.presets.filter { $0.bitWidth <= 16 })
    func decodeMonotone(format: FloatFormat) {
        var previous = format.decode(0)
        #expect(previous == 0 && previous.sign == .plus)
        // −0, except in FNUZ where the sign bit alone is the NaN.
        let negativeZero = format.decode(format.signBit)
        #expect(format.specials == .fnuz ? negativeZero.isNaN : negativeZero == 0 && negativeZero.sign == .minus)
        #expect(format.decode(1) == format.minSubnormal)
        #expect(format.decode(1 << UInt32(format.mantissaBits)) == format.minNormal)
        for code in UInt32(1)...format.maxFiniteMagnitudeCode {
            let value = format.decode(code)
            #expect(value > previous)
            #expect(format.decode(code | format.signBit) == -value)
            previous = value
        }
        #expect(previous == format.maxFinite)
    }

    @Test("FP32 decode equals Float(bitPattern:) for 2^21 random patterns and the specials")
    func fp32DecodeMatchesFloat() {
        var rng = SplitMix64(seed: 0xF32D)
        var patterns: [UInt32] = [0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7F80_0001, 1, 0x007F_FFFF]
        for _ in 0..<(1 << 21) { patterns.append(UInt32(truncatingIfNeeded: rng.next())) }
        var mismatches = 0
        for bits in patterns {
            let reference = Float(bitPattern: bits)
            let decoded = FloatFormat.fp32.decode(bits)
            // NaN: same sign and payload; the quiet bit is set (as every hardware conversion does).
            let ok =
                reference.isNaN
                ? decoded.isNaN && decoded.bitPattern == bits | 0x0040_0000
                : decoded.bitPattern == bits
            if !ok { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("FP32 encode: identity on Float bits and equal to Float(Double) for 2^21 random doubles")
    func fp32EncodeMatchesFloat() {
        var rng = SplitMix64(seed: 0xF32E)
        var floatMismatches = 0
        var doubleMismatches = 0
        var firstDouble: Double?
        for i in 0..<(1 << 21) {
            let bits = UInt32(truncatingIfNeeded: rng.next())
            let x = Float(bitPattern: bits)
            let expected = x.isNaN ? bits | 0x0040_0000 : bits
            if FloatFormat.fp32.encode(x) != expected { floatMismatches += 1 }
            // Doubles: half raw patterns, half near Float's range so rounding is exercised.
            let raw = rng.next()
            let d: Double
            if i & 1 == 0 {
                d = Double(bitPattern: raw)
            } else {
                let exponent = UInt64(1023 - 160 + Int(raw % 300)) << 52
                d = Double(bitPattern: (raw & 0x800F_FFFF_FFFF_FFFF) | exponent)
            }
            if FloatFormat.fp32.encode(d) != Float(d).bitPattern {
                doubleMismatches += 1
                if firstDouble == nil { firstDouble = d }
            }
        }
        #expect(floatMismatches == 0)
        #expect(doubleMismatches == 0, "first: \(String(describing: firstDouble))")
    }

    // Swift has no Float16 on Intel macOS.
    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    @Test("FP16 decode equals Float(Float16) for all 65536 codes, bit for bit")
    func fp16DecodeAllCodes() {
        #expect(FloatFormat.fp16.maxFinite == Float(Float16.greatestFiniteMagnitude))
        #expect(FloatFormat.fp16.minNormal == Float(Float16.leastNormalMagnitude))
        #expect(FloatFormat.fp16.minSubnormal == Float(Float16.leastNonzeroMagnitude))
        var mismatches: [UInt32] = []
        for code in UInt32(0)..<65536 {
            let reference = Float(Float16(bitPattern: UInt16(code)))
            if FloatFormat.fp16.decode(code).bitPattern != reference.bitPattern { mismatches.append(code) }
        }
        #expect(mismatches.isEmpty, "first mismatching codes: \(mismatches.prefix(8))")
    }

    @Test("FP16 encode equals Float16(x) bit for bit for 2^22 random Floats and Doubles")
    func fp16EncodeMatchesFloat16() {
        var rng = SplitMix64(seed: 0xF16E)
        var mismatches = 0
        var first: UInt64?
        for i in 0..<(1 << 22) {
            let raw = rng.next()
            // Half the inputs are raw float32 patterns, half lie in and around Float16's range.
            let bits: UInt32
            if i & 1 == 0 {
                bits = UInt32(truncatingIfNeeded: raw)
            } else {
                let exponent = UInt32(127 - 28 + Int((raw >> 32) % 48)) << 23
                bits = (UInt32(truncatingIfNeeded: raw) & 0x807F_FFFF) | exponent
            }
            let x = Float(bitPattern: bits)
            if FloatFormat.fp16.encode(x) != UInt32(Float16(x).bitPattern) {
                mismatches += 1
                if first == nil { first = UInt64(bits) }
            }
            let d = Double(bitPattern: (raw & 0x800F_FFFF_FFFF_FFFF) | (UInt64(1023 - 28 + Int(raw >> 58)) << 52))
            if FloatFormat.fp16.encode(d) != UInt32(Float16(d).bitPattern) {
                mismatches += 1
                if first == nil { first = d.bitPattern }
            }
        }
        #expect(mismatches == 0, "first mismatching input bits: \(String(describing: first))")
    }
    #endif

    /// Independent bf16 reference: keep the top 16 bits of a float32 with round-to-nearest-even
    /// (add 0x7FFF plus the lowest kept bit, then truncate); NaN keeps sign and gets the quiet bit.
    static func bf16Reference(_ bits: UInt32) -> UInt32 {
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return (bits >> 16) | 0x0040 }
        return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    }

    @Test("BF16 encode equals truncation with round-to-nearest-even; decode is the top half of FP32")
    func bf16MatchesReference() {
        var rng = SplitMix64(seed: 0xBF16)
        var mismatches = 0
        for _ in 0..<(1 << 21) {
            let bits = UInt32(truncatingIfNeeded: rng.next())
            if FloatFormat.bf16.encode(Float(bitPattern: bits)) != Self.bf16Reference(bits) { mismatches += 1 }
        }
        for code in UInt32(0)..<65536 where !sameFloat(FloatFormat.bf16.decode(code), Float(bitPattern: code << 16)) {
            mismatches += 1
        }
        #expect(mismatches == 0)
    }

    @Test(
        "Saturating mode equals non-saturating except that overflow and Inf become max finite",
        arguments: small + [.fp16, .bf16])
    func saturationOnlyChangesOverflow(format: FloatFormat) {
        var rng = SplitMix64(seed: 0x5A7)
        let maxCode = format.maxFiniteMagnitudeCode
        for _ in 0..<(1 << 16) {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7FFF_FFFF)
            let scaled = x.isFinite ? (x.significand - 1) * 4 * format.maxFinite : x  // 0 ... 4·max
            let free = format.encode(scaled, options: .ieee)
            let saturated = format.encode(scaled, options: .saturating)
            if scaled.isNaN {
                #expect(free == saturated || !format.hasNaN)
            } else if free > maxCode {
                #expect(saturated == maxCode, "\(format) \(scaled)")
                #expect(format.isNaN(free) || format.decode(free).isInfinite)
            } else {
                #expect(saturated == free)
            }
        }
    }

    @Test(
        """
        Rounding just above max finite follows ml_dtypes: round first, overflow only if the rounded magnitude exceeds \
        max
        """
    )
    func roundingAtTheTop() {
        // E4M3FN: 448 = 1.110·2^8; 464 is the tie toward the virtual 480 (odd) → 448; above → NaN.
        let e4m3 = FloatFormat.fp8E4M3FN
        #expect(e4m3.encode(Float(464)) == 0x7E)
        #expect(e4m3.encode(Float(464).nextUp) == 0x7F)
        #expect(e4m3.encode(Float(464).nextUp, options: .saturating) == 0x7E)
        #expect(e4m3.encode(-Float.infinity) == 0xFF)
        // E5M2: 57344 = 1.11·2^15; 61440 ties to the even 2^16 → Inf.
        let e5m2 = FloatFormat.fp8E5M2
        #expect(e5m2.encode(Float(61440).nextDown) == 0x7B)
        #expect(e5m2.encode(Float(61440)) == 0x7C)
        #expect(e5m2.encode(Float(61440), options: .saturating) == 0x7B)
        // FP4 has neither Inf nor NaN: overflow saturates in both modes.
        #expect(FloatFormat.fp4E2M1.encode(Float(1e30)) == 0x7)
        #expect(FloatFormat.fp4E2M1.encode(-Float.infinity) == 0xF)
    }

    @Test("NaN conventions: payload preserved (IEEE) or canonical (ml_dtypes); formats without NaN give zero")
    func nanConventions() {
        let payloadNaN = Float(bitPattern: 0xFFE0_0000)  // negative, quiet, payload bit 21
        #expect(FloatFormat.fp8E5M2.encode(payloadNaN, options: .ieee) == 0xFF)
        #expect(FloatFormat.fp8E5M2.encode(payloadNaN, options: .mlDtypes) == 0xFE)
        #expect(FloatFormat.fp8E4M3FN.encode(payloadNaN, options: .mlDtypes) == 0xFF)
        #expect(FloatFormat.fp4E2M1.encode(payloadNaN, options: .ieee) == 0x8)
        #expect(FloatFormat.fp4E2M1.encode(payloadNaN, options: .mlDtypes) == 0x0)
        #expect(FloatFormat.fp4E2M1.encode(Float.nan, options: .mlDtypes) == 0x8)
    }
}
