import Foundation
import QuantCore
import TestSupport
import Testing

/// The fixture written by Tests/Fixtures/make_float_goldens.py from ml_dtypes.
struct FloatGoldens: Decodable {
    struct Encode: Decodable {
        let seed: UInt64
        let prefix: String
        let inputsFNV1a64: String
        let codesFNV1a64: String
    }

    struct Format: Decodable {
        let name: String
        let exponentBits: Int
        let mantissaBits: Int
        let bias: Int
        let specials: String
        let maxFinite: Double
        let decode: [UInt32]?
        let encode: Encode
    }

    let count: Int
    let formats: [Format]

    static func load() throws -> FloatGoldens { try TestPaths.decodeFixture("float/ml_dtypes_goldens.json") }

    static let names = [
        "float8_e4m3fn", "float8_e5m2", "float6_e3m2fn", "float6_e2m3fn", "float4_e2m1fn", "bfloat16",
        "float8_e3m4", "float8_e4m3", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3b11fnuz",
    ]
}

/// FNV-1a 64 over bytes fed one at a time.
struct FNV1a64 {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(byte: UInt8) { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    mutating func add<T: FixedWidthInteger>(littleEndian x: T) {
        for i in 0..<(T.bitWidth / 8) { add(byte: UInt8(truncatingIfNeeded: x >> (8 * i))) }
    }
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The fixture's input generator, bit for bit (see the script's docstring).
struct FloatGoldenInputs {
    let format: FloatFormat
    var rng: SplitMix64

    /// (sig, exp) with value sig · 2^exp of magnitude code `c`.
    func codeValue(_ c: UInt64) -> (UInt64, Int) {
        let m = format.mantissaBits
        let biased = Int(c >> UInt64(m))
        let fraction = c & ((1 << UInt64(m)) - 1)
        return biased == 0 ? (fraction, 1 - format.bias - m) : (fraction | (1 << UInt64(m)), biased - format.bias - m)
    }

    func exactBits(_ sig: UInt64, _ exp: Int) -> UInt32 {
        Float(sign: .plus, exponent: exp, significand: Float(sig)).bitPattern
    }

    mutating func next() -> UInt32 {
        let m = format.mantissaBits
        let maxCode = UInt64(format.maxFiniteMagnitudeCode)
        let u = rng.next()
        let kind = u >> 61
        let sign = UInt32((u >> 60) & 1) << 31
        switch kind {
        case 0, 1:
            return UInt32(truncatingIfNeeded: rng.next())
        case 2, 3:
            let emax = Int(maxCode >> UInt64(m)) - format.bias
            let lo = max(-149, 1 - format.bias - m - 2)
            let hi = min(127, emax + 2)
            let v = rng.next()
            let k = lo + Int(v % UInt64(hi - lo + 1))
            let fraction = UInt32((v >> 32) & 0x7F_FFFF)
            let bits = k >= -126 ? (UInt32(k + 127) << 23) | fraction : (fraction | 0x80_0000) >> UInt32(-126 - k)
            return bits | sign
        case 4, 5:
            let (sig, exp) = codeValue(rng.next() % (maxCode + 1))
            var bits = exactBits(2 * sig + 1, exp - 1)
            if kind == 5 { bits = (u >> 59) & 1 != 0 ? bits + 1 : bits - 1 }
            return bits | sign
        case 6:
            let (sig, exp) = codeValue(rng.next() % (maxCode + 1))
            return exactBits(sig, exp) | sign
        default:
            let v = rng.next()
            let w = v >> 32
            let maxBits = format.maxFinite.bitPattern
            let bits: UInt32
            switch v % 8 {
            case 0: bits = 0x7F80_0000
            case 1: bits = 0x7FC0_0000 | UInt32(w & 0x3F_FFFF)
            case 2: bits = 0x7F80_0001 + UInt32(w % 0x3F_FFFF)
            case 3: bits = 0
            case 4: bits = UInt32(w & 0x7F_FFFF)
            case 5, 6: bits = maxBits + UInt32(w % (1 << 24))
            default: bits = maxBits + UInt32(w % (1 << UInt64(25 - m))) - (1 << UInt32(24 - m))
            }
            return bits | sign
        }
    }
}

@Suite("FloatFormat against ml_dtypes")
struct FloatFormatGoldenTests {
    static func format(_ golden: FloatGoldens.Format) throws -> FloatFormat {
        let specials: FloatFormat.SpecialValues =
            switch golden.specials {
            case "ieee": .ieee
            case "finiteAndNaN": .finiteAndNaN
            case "fnuz": .fnuz
            default: .finiteOnly
            }
        return try FloatFormat(
            exponentBits: golden.exponentBits, mantissaBits: golden.mantissaBits, bias: golden.bias,
            specials: specials)
    }

    static func golden(_ name: String) throws -> (FloatGoldens, FloatGoldens.Format) {
        let goldens = try FloatGoldens.load()
        return (goldens, try #require(goldens.formats.first { $0.name == name }))
    }

    @Test("The fixture's formats are the presets")
    func presetsMatchFixture() throws {
        let presets: [String: FloatFormat] = [
            "float8_e4m3fn": .fp8E4M3FN, "float8_e5m2": .fp8E5M2, "float6_e3m2fn": .fp6E3M2,
            "float6_e2m3fn": .fp6E2M3, "float4_e2m1fn": .fp4E2M1, "bfloat16": .bf16,
            "float8_e4m3fnuz": .fp8E4M3FNUZ, "float8_e5m2fnuz": .fp8E5M2FNUZ,
        ]
        let goldens = try FloatGoldens.load()
        #expect(goldens.formats.map(\.name) == FloatGoldens.names)
        for golden in goldens.formats {
            let format = try Self.format(golden)
            // E3M4, E4M3 (IEEE-like) and E4M3B11FNUZ are not presets.
            let nonPresets = ["float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz"]
            #expect(presets[golden.name] == format || nonPresets.contains(golden.name))
            #expect(Double(format.maxFinite) == golden.maxFinite)
        }
    }

    @Test(
        "Decode of every code equals ml_dtypes (NaN codes: NaN-ness and sign)",
        arguments: FloatGoldens.names.filter { $0 != "bfloat16" })
    func decodeTable(name: String) throws {
        let (_, golden) = try Self.golden(name)
        let format = try Self.format(golden)
        let table = try #require(golden.decode)
        #expect(table.count == format.codeCount)
        for (code, bits) in table.enumerated() {
            let value = format.decode(UInt32(code))
            #expect(sameFloat(value, Float(bitPattern: bits)), "\(name) code \(code)")
            #expect(value.isNaN || value.bitPattern == bits)
        }
    }

    @Test("Encode of 10^6 generated inputs equals ml_dtypes (prefix and digest)", arguments: FloatGoldens.names)
    func encodeDigest(name: String) throws {
        let (goldens, golden) = try Self.golden(name)
        let format = try Self.format(golden)
        let codeBytes = format.bitWidth > 8 ? 2 : 1
        let prefixCount = golden.encode.prefix.count / (2 * codeBytes)
        var expectedPrefix: [UInt32] = []
        var cursor = golden.encode.prefix.startIndex
        for _ in 0..<prefixCount {
            let next = golden.encode.prefix.index(cursor, offsetBy: 2 * codeBytes)
            expectedPrefix.append(try #require(UInt32(golden.encode.prefix[cursor..<next], radix: 16)))
            cursor = next
        }
        var inputs = FloatGoldenInputs(format: format, rng: SplitMix64(seed: golden.encode.seed))
        var inputDigest = FNV1a64()
        var codeDigest = FNV1a64()
        var firstMismatch: (index: Int, input: UInt32, got: UInt32, expected: UInt32)?
        for i in 0..<goldens.count {
            let bits = inputs.next()
            inputDigest.add(littleEndian: bits)
            let code = format.encode(Float(bitPattern: bits), options: .mlDtypes)
            if codeBytes == 2 { codeDigest.add(littleEndian: UInt16(code)) } else { codeDigest.add(byte: UInt8(code)) }
            if i < prefixCount && code != expectedPrefix[i] && firstMismatch == nil {
                firstMismatch = (i, bits, code, expectedPrefix[i])
            }
        }
        #expect(inputDigest.hex == golden.encode.inputsFNV1a64, "input generator diverged from the script")
        #expect(firstMismatch == nil, "\(name): first mismatch \(String(describing: firstMismatch))")
        #expect(codeDigest.hex == golden.encode.codesFNV1a64)
    }
}
