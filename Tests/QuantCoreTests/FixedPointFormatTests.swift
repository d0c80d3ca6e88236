import QuantCore
import Testing

@Suite struct FixedPointFormatTests {
    /// The seed's example: −12.064 with E = 0.001 is S = 1, I = 12 (1100₂), m = 64 (1000000₂).
    @Test func seedExample() throws {
        let format = try FixedPointFormat.decimal(integerBits: 4, fractionDigits: 3)
        #expect(format.implicitExponent == 0.001)
        #expect(format.fractionBits == 10)
        let v = format.encode(-12.064)
        #expect(v.isNegative && v.integer == 12 && v.fraction == 64 && !v.saturated)
        #expect(v.integer == 0b1100 && v.fraction == 0b100_0000)
        #expect(format.decode(v) == -12.064)
        // S | I | m = 1 | 1100 | 0001000000
        #expect(format.bits(of: v) == 0b1_1100_0001000000)
        #expect(
            format.value(ofBits: 0b1_1100_0001000000) == FixedPointValue(isNegative: true, integer: 12, fraction: 64))
    }

    /// Binary Qm.n: every code decodes to k·2^−n and re-encodes to itself; the grid step is E.
    @Test(arguments: [(3, 4), (0, 7), (7, 0), (5, 10)])
    func binaryRoundTrip(integerBits: Int, fractionBits: Int) throws {
        let format = try FixedPointFormat.binary(integerBits: integerBits, fractionBits: fractionBits)
        #expect(format.implicitExponent == Double(sign: .plus, exponent: -fractionBits, significand: 1))
        for pattern in 0..<(UInt64(1) << UInt64(format.bitWidth)) {
            let v = format.value(ofBits: pattern)
            let x = format.decode(v)
            let magnitude = Double(pattern & ((1 << UInt64(integerBits + fractionBits)) - 1))
            #expect(abs(x) == magnitude * format.implicitExponent)
            let e = format.encode(x)
            if x == 0 { #expect(e.integer == 0 && e.fraction == 0) } else { #expect(format.bits(of: e) == pattern) }
        }
    }

    @Test func roundingAndSaturation() throws {
        let q = try FixedPointFormat.binary(integerBits: 3, fractionBits: 2)  // step 0.25, max 7.75
        #expect(q.decode(q.encode(0.125)) == 0)  // tie → even (0)
        #expect(q.decode(q.encode(0.375)) == 0.5)  // tie → even (2 units)
        #expect(q.decode(q.encode(0.125, rounding: .toNearestOrAwayFromZero)) == 0.25)
        #expect(q.decode(q.encode(-0.375)) == -0.5)
        let big = q.encode(100)
        #expect(big.saturated && q.decode(big) == 7.75 && q.maxMagnitude == 7.75)
        #expect(q.decode(q.encode(-.infinity)) == -7.75)
        #expect(q.encode(.nan).saturated)
        let unsigned = try FixedPointFormat.binary(integerBits: 3, fractionBits: 2, signed: false)
        let neg = unsigned.encode(-1)
        #expect(neg.saturated && unsigned.decode(neg) == 0)
    }

    @Test func errorsNameTheLayout() {
        #expect(throws: QuantizationError.self) { try FixedPointFormat.binary(integerBits: 40, fractionBits: 20) }
        #expect(throws: QuantizationError.self) { try FixedPointFormat.decimal(integerBits: 4, fractionDigits: 0) }
    }
}
