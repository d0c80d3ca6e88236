import Foundation
import QuantCore
import Testing

@Suite("FloatFormat+Codable")
struct FloatFormatCodableTests {
    @Test("Presets encode as their names and decode back", arguments: FloatFormat.presets)
    func presetRoundTrip(format: FloatFormat) throws {
        let data = try JSONEncoder().encode(format)
        let name = try #require(format.presetName)
        #expect(String(decoding: data, as: UTF8.self) == "\"\(name)\"")
        #expect(try JSONDecoder().decode(FloatFormat.self, from: data) == format)
    }

    @Test("ml_dtypes and short names are accepted, case-insensitively")
    func aliases() {
        #expect(FloatFormat(presetName: "float8_e4m3fn") == .fp8E4M3FN)
        #expect(FloatFormat(presetName: "E5M2") == .fp8E5M2)
        #expect(FloatFormat(presetName: "bfloat16") == .bf16)
        #expect(FloatFormat(presetName: "float4_e2m1fn") == .fp4E2M1)
        #expect(FloatFormat(presetName: "fp7") == nil)
    }

    @Test("Other formats encode their fields; invalid fields and unknown names are rejected")
    func customFormats() throws {
        let custom = try FloatFormat(exponentBits: 4, mantissaBits: 3, bias: 11, specials: .finiteAndNaN)
        let data = try JSONEncoder().encode(custom)
        #expect(try JSONDecoder().decode(FloatFormat.self, from: data) == custom)
        let defaultBias = Data(#"{"exponentBits": 3, "mantissaBits": 4, "specials": "finiteOnly"}"#.utf8)
        #expect(try JSONDecoder().decode(FloatFormat.self, from: defaultBias).bias == 3)
        let invalid = Data(#"{"exponentBits": 4, "mantissaBits": 0, "specials": "ieee"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FloatFormat.self, from: invalid) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FloatFormat.self, from: Data(#""fp7""#.utf8)) }
    }
}
