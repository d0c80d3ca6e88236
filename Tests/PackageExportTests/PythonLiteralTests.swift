import TestSupport
import Testing

@testable import PackageExport

/// ``PythonLiteral`` spells floats and strings as CPython 3's `repr(float)` and `json.dumps` do (the
/// expected strings were printed by CPython 3.12).
struct PythonLiteralTests {
    @Test(arguments: [
        (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (100.0, "100.0"), (0.1, "0.1"), (1e16, "1e+16"),
        (1e15, "1000000000000000.0"), (0.0001, "0.0001"), (1e-05, "1e-05"), (2.5588550567626953, "2.5588550567626953"),
        (5e-324, "5e-324"), (1.7976931348623157e+308, "1.7976931348623157e+308"),
        (123456789012345680.0, "1.2345678901234568e+17"), (1.5e-07, "1.5e-07"),
        (7.569096088409424, "7.569096088409424"),
        (0.003921568859368563, "0.003921568859368563"), (1234.5, "1234.5"), (-3.25e-10, "-3.25e-10"),
        (Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"),
    ])
    func floatsAsPythonRepr(value: Double, expected: String) {
        #expect(PythonLiteral.float(value) == expected)
    }

    @Test func float32ValuesRoundTrip() {
        var generator = SplitMix64(seed: 16)
        for _ in 0..<2000 {
            let value = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            guard value.isFinite else { continue }
            let text = PythonLiteral.float(Double(value))
            #expect(Double(text).map(Float.init) == value, "\(value) -> \(text)")
        }
    }

    @Test func stringsAsJSONDumps() {
        #expect(PythonLiteral.string("a\"b\\c\n\té€😀\u{01}") == #""a\"b\\c\n\t\u00e9\u20ac\ud83d\ude00\u0001""#)
    }
}
