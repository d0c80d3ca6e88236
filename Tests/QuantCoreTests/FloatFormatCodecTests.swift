import QuantCore
import TestSupport
import Testing

@Suite("FloatFormatCodec")
struct FloatFormatCodecTests {
    static let allOptions: [FloatFormat.EncodeOptions] = [.ieee, .mlDtypes, .saturating]

    /// 2^17 + 5 inputs (not a multiple of 16): the golden generator's mix of raw patterns,
    /// in-range values, ties, neighbours of ties, exact codes and specials.
    static func inputs(for format: FloatFormat) -> [Float] {
        var generator = FloatGoldenInputs(format: format, rng: SplitMix64(seed: 0xC0DEC))
        return (0..<((1 << 17) + 5)).map { _ in Float(bitPattern: generator.next()) }
    }

    @Test("Bulk encode equals scalar encode, for every preset and option set", arguments: FloatFormat.presets)
    func bulkEncodeMatchesScalar(format: FloatFormat) throws {
        let xs = Self.inputs(for: format)
        for options in Self.allOptions {
            let codec = FloatFormatCodec(format: format, options: options)
            var codes = [UInt32](repeating: 0, count: xs.count)
            try xs.withUnsafeBufferPointer { source throws(FloatFormatError) in
                try codes.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.encode(source, into: out)
                }
            }
            var mismatches = 0
            var first: UInt32?
            for (x, code) in zip(xs, codes) where code != format.encode(x, options: options) || codec.encode(x) != code
            {
                mismatches += 1
                if first == nil { first = x.bitPattern }
            }
            #expect(mismatches == 0, "\(format) \(options): first input bits \(String(describing: first))")
        }
    }

    @Test(
        "Encode of x / divisor and decode · scale equal the scalar formulas (power-of-two and other divisors)",
        arguments: [FloatFormat.fp8E4M3FN, .fp4E2M1, .bf16])
    func scaledRuns(format: FloatFormat) throws {
        let xs = Self.inputs(for: format)
        let codec = FloatFormatCodec(format: format, options: .mlDtypes)
        let divisors: [Float] = [0x1p-20, 0.5, 1, 4, 0x1p100, 0x1p-126, 0x1p126, 0x1p127, Float(3) / 448, 1e-30]
        var codes = [UInt16](repeating: 0, count: xs.count)
        var values = [Float](repeating: 0, count: xs.count)
        for divisor in divisors {
            try xs.withUnsafeBufferPointer { source throws(FloatFormatError) in
                try codes.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.encode(source, dividingBy: divisor, into: out)
                }
            }
            try codes.withUnsafeBufferPointer { source throws(FloatFormatError) in
                try values.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.decode(source, multipliedBy: divisor, into: out)
                }
            }
            var mismatches = 0
            for i in xs.indices {
                if UInt32(codes[i]) != format.encode(xs[i] / divisor, options: .mlDtypes) { mismatches += 1 }
                if !sameFloat(values[i], format.decode(UInt32(codes[i])) * divisor) { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(format) divisor \(divisor)")
        }
    }

    @Test("Bulk encode into UInt8 and table decode round-trip every code", arguments: FloatFormatTests.small)
    func bulkRoundTrip(format: FloatFormat) throws {
        let codec = FloatFormatCodec(format: format, options: .mlDtypes)
        let codes = (0..<format.codeCount).map { UInt8($0) }
        var values = [Float](repeating: 0, count: codes.count)
        var back = [UInt8](repeating: 0, count: codes.count)
        try codes.withUnsafeBufferPointer { input throws(FloatFormatError) in
            try values.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                try codec.decode(input, into: out)
            }
        }
        try values.withUnsafeBufferPointer { input throws(FloatFormatError) in
            try back.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in try codec.encode(input, into: out)
            }
        }
        for code in codes {
            let value = values[Int(code)]
            #expect(sameFloat(value, format.decode(UInt32(code))))
            #expect(sameFloat(codec.decode(UInt32(code)), value))
            if !value.isNaN { #expect(back[Int(code)] == code) }
        }
    }

    @Test("16-bit formats need 16-bit codes; lengths must match")
    func rejectsBadBuffers() {
        let codec = FloatFormatCodec(format: .fp16)
        let xs: [Float] = [1, 2, 3]
        var narrow = [UInt8](repeating: 0, count: 3)
        var short = [UInt16](repeating: 0, count: 2)
        xs.withUnsafeBufferPointer { source in
            #expect(throws: FloatFormatError.self) {
                try narrow.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.encode(source, into: out)
                }
            }
            #expect(throws: FloatFormatError.lengthMismatch(input: 3, output: 2)) {
                try short.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.encode(source, into: out)
                }
            }
        }
    }
}
