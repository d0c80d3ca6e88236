import Foundation
import Observers
import Testing

@testable import Calibrator

/// A configuration with several errors reports them all in one run (up to 20), each with its key path and
/// (YAML) line, instead of only the first (issue 18).
@Suite struct ConfigAllErrorsTests {
    static let names = ObserverRegistry.builtIn.names

    func error(_ text: String, format: ConfigFormat) -> ConfigError? {
        do {
            _ = try CalibrationConfig.parse(text, format: format, file: "c", observerNames: Self.names)
            return nil
        } catch {
            return error
        }
    }

    static let yaml = """
        weights:
          bits: 99
          scheme: affine
          colour: red
        activations:
          observer: nope
        overrides:
          - match: "fc*"
            weights: {granularity: sideways}
        """

    static let expected: Set<String> = [
        "weights.bits", "weights.scheme", "weights.colour", "activations.observer.name",
        "overrides[0].weights.granularity",
    ]

    @Test func everyErrorOfAYAMLDocumentIsReportedWithItsLine() throws {
        let e = try #require(error(Self.yaml, format: .yaml))
        let all = [e] + e.further
        #expect(Set(all.map(\.keyPath)) == Self.expected, "\(e)")
        #expect(all.count == 5)
        let lines = Dictionary(uniqueKeysWithValues: all.map { ($0.keyPath, $0.line) })
        #expect(lines["weights.bits"] == 2 && lines["weights.colour"] == 4 && lines["activations.observer.name"] == 6)
        #expect(lines["overrides[0].weights.granularity"] == 9)
        let printed = e.description.split(separator: "\n")
        #expect(printed.count == 6 && printed.last == "c: 5 errors", "\(e)")
        #expect(printed.dropLast().allSatisfy { $0.hasPrefix("c:") })
    }

    @Test func everyErrorOfAJSONDocumentIsReported() throws {
        let json = """
            {"weights": {"bits": 99, "scheme": "affine", "colour": "red"}, "activations": {"observer": "nope"},
             "overrides": [{"match": "fc*", "weights": {"granularity": "sideways"}}]}
            """
        let e = try #require(error(json, format: .json))
        #expect(Set(([e] + e.further).map(\.keyPath)) == Self.expected, "\(e)")
    }

    @Test func atMostTwentyAreReported() throws {
        let keys = (0..<25).map { "  unknown\($0): 1" }.joined(separator: "\n")
        let e = try #require(error("weights:\n\(keys)\n", format: .yaml))
        #expect(e.further.count == 19)
        #expect(e.description.hasSuffix("c: the first 20 errors"), "\(e)")
    }

    /// A consequence of an earlier error (an override whose `match` is unusable then lacks `match`) and a
    /// syntax error are not piled on.
    @Test func consequencesAndSyntaxErrorsStayAlone() throws {
        let e = try #require(error("overrides:\n  - match: {a: 1}\n    exclude: maybe\n", format: .yaml))
        #expect(!([e] + e.further).contains { if case .missingKey = $0.reason { true } else { false } }, "\(e)")
        let syntax = try #require(error("weights: {bits: 4\nactivations: [", format: .yaml))
        #expect(syntax.further.isEmpty)
        let one = try #require(error("weights: {bits: 1}", format: .yaml))
        #expect(one.further.isEmpty && !one.description.contains("\n"))
    }
}
