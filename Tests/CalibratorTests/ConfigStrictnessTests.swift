import Foundation
import Testing

@testable import Calibrator

/// Configuration checks of issue 20: JSON duplicate keys and trailing commas, YAML alias expansion, axis.
@Suite struct ConfigStrictnessTests {
    func error(_ text: String, format: ConfigFormat) -> ConfigError? {
        do {
            _ = try CalibrationConfig.parse(text, format: format, file: "c")
            return nil
        } catch {
            return error
        }
    }

    @Test func jsonDuplicateKeysAreRefusedWithTheirPathAndLine() throws {
        let e = try #require(error("{\"version\": 1,\n \"weights\": {\"bits\": 8,\n  \"bits\": 4}}", format: .json))
        #expect(e.keyPath == "weights.bits" && e.line == 3)
        #expect(e.description.contains("duplicate key 'bits'"))
        // The same key in different objects is fine.
        _ = try CalibrationConfig.parse(
            #"{"version": 1, "weights": {"bits": 8}, "activations": {"bits": 8}}"#, format: .json)
    }

    @Test(arguments: [
        #"{"version": 1,}"#, #"{"version": 1, "overrides": [{"match": "a"},]}"#, "{\"version\": 1 ,\n\n}",
    ])
    func jsonTrailingCommasAreRefused(text: String) throws {
        let e = try #require(error(text, format: .json))
        #expect(e.description.contains("trailing comma"), "\(e)")
    }

    /// Commas and braces inside strings are not structure.
    @Test func jsonStringsAreSkipped() throws {
        let text = #"{"version": 1, "naming": {"map": {"a,}\"": {"layer": "x,]", "role": "weight"}}}}"#
        _ = try CalibrationConfig.parse(text, format: .json)
    }

    /// 9^9 nodes from a few hundred bytes, inside observer options and elsewhere: refused at once.
    @Test(arguments: ["activations:\n  observer:\n    name: minmax\n    options:\n", "extra:\n  more:\n"])
    func yamlAliasBombsAreRefusedQuickly(prefix: String) throws {
        var bomb = "version: 1\n" + prefix + "      a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            bomb +=
                "      a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }
        let start = Date()
        let e = try #require(error(bomb, format: .yaml))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(e.description.contains("expands to more than 100000 nodes"), "\(e)")
    }

    /// Aliases that expand to a modest size are still fine.
    @Test func smallAliasesAreAccepted() throws {
        let text = "version: 1\nweights: &w {bits: 8}\nactivations: *w\n"
        let config = try CalibrationConfig.parse(text, format: .yaml)
        #expect(config.activations.bits == 8)
    }

    @Test(arguments: [32, 99, -33, Int.max])
    func axesNoTensorHasAreConfigErrors(axis: Int) throws {
        let e = try #require(error("version: 1\nweights:\n  axis: \(axis)\n", format: .yaml))
        #expect(e.keyPath == "weights.axis" && e.line == 3, "\(e)")
    }
}
