import Foundation
import QuantCore
import Testing

@testable import Calibrator

@Suite struct CalibrationConfigTests {
    static let full = """
        version: 1
        weights:
          observer: minmax
          bits: 4
          scheme: auto
          auto-margin: 0.2
          granularity: per-group
          axis: 1
          group-size: 32
          signedness: signed
          narrow-range: false
          rounding: half-away
          profile: aimet
        activations:
          observer:
            name: percentile
            options: {percentile: 99.9, tails: each}
          bits: 8
          scheme: asymmetric
        overrides:
          - match: "fc3"
            exclude: true
          - match: ["fc1", "enc*/q"]
            weights: {bits: 8, granularity: per-channel}
        nan-policy: error
        naming:
          builtin-rules: true
          rules:
            - {pattern: '(.*)/w', layer: '$1', role: weight}
          map:
            /odd/name: {layer: fc2, role: bias}
        """

    @Test func parsesEverySectionFromYAML() throws {
        let config = try CalibrationConfig.parse(Self.full, format: .yaml)
        #expect(config.weights.bits == 4)
        #expect(config.weights.scheme == .auto)
        #expect(config.weights.autoMargin == 0.2)
        #expect(config.weights.granularity == .perGroup)
        #expect(config.weights.groupSize == 32)
        #expect(config.weights.narrowRange == false)
        #expect(config.weights.profile == .aimet)
        #expect(config.weights.rounding == .halfAway)
        #expect(config.weights.rounding?.rule(for: .pytorch) == .toNearestOrAwayFromZero)
        #expect(
            config.activations.observer
                == ObserverSpec("percentile", options: ["percentile": .double(99.9), "tails": .string("each")]))
        #expect(config.overrides.count == 2)
        #expect(config.overrides[0].exclude == true)
        #expect(config.overrides[1].match == ["fc1", "enc*/q"])
        #expect(config.overrides[1].weights?.granularity == .perChannel)
        #expect(config.nanPolicy == .error)
        #expect(config.naming.rules == [NamingRule(pattern: "(.*)/w", layer: "$1", role: .weight)])
        #expect(config.naming.map["/odd/name"] == DatasetAssignment(layer: "fc2", role: .bias))
    }

    @Test func jsonAndYAMLGiveTheSameModel() throws {
        let yaml = try CalibrationConfig.parse(Self.full, format: .yaml)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(String(data: try encoder.encode(yaml), encoding: .utf8))
        #expect(ConfigFormat.detect(path: nil, text: json) == .json)
        let back = try CalibrationConfig.parse(json)
        #expect(back == yaml)
    }

    @Test func emptyDocumentIsTheDefault() throws {
        #expect(try CalibrationConfig.parse("", format: .yaml) == CalibrationConfig())
        #expect(try CalibrationConfig.parse("{}", format: .json) == CalibrationConfig())
    }

    @Test(arguments: [
        ("a.yaml", "{}", ConfigFormat.yaml), ("a.YML", "", .yaml), ("b.json", "x: 1", .json),
        ("noext", "  {\"a\": 1}", .json), ("noext", "weights: {}", .yaml),
    ])
    func detectsTheFormat(path: String, text: String, format: ConfigFormat) {
        #expect(ConfigFormat.detect(path: path, text: text) == format)
    }

    /// (document, expected key path, reason check)
    static let invalid: [(String, String, String)] = [
        ("weights: {bitz: 8}", "weights.bitz", "unknown key 'bitz'"),
        ("wieghts: {}", "wieghts", "allowed: version, weights, activations, overrides, nan-policy, naming"),
        ("weights: {bits: 17}", "weights.bits", "allowed: 2...16"),
        ("weights: {bits: 1}", "weights.bits", "invalid value '1'"),
        ("weights: {bits: eight}", "weights.bits", "expected an integer"),
        ("weights: {scheme: affine}", "weights.scheme", "allowed: symmetric, asymmetric, auto"),
        ("weights: {granularity: per-row}", "weights.granularity", "allowed: per-tensor, per-channel, per-group"),
        ("weights: {group-size: 0}", "weights.group-size", "invalid value '0'"),
        ("weights: {group-size: -8}", "weights.group-size", "invalid value '-8'"),
        ("weights: {auto-margin: 1.5}", "weights.auto-margin", "0 <= margin < 1"),
        ("weights: {narrow-range: 3}", "weights.narrow-range", "expected a boolean"),
        ("weights: {profile: keras}", "weights.profile", "allowed: ptqkit, pytorch, onnxruntime, tensorrt, aimet"),
        ("weights: {rounding: up}", "weights.rounding", "allowed: profile, half-even, half-away"),
        ("weights: 8", "weights", "expected a mapping"),
        ("overrides: [{exclude: true}]", "overrides[0]", "missing required key 'match'"),
        ("overrides: [{match: fc1, weights: {bits: 40}}]", "overrides[0].weights.bits", "allowed: 2...16"),
        ("overrides: [{match: fc1, weight: {}}]", "overrides[0].weight", "unknown key 'weight'"),
        ("nan-policy: ignore", "nan-policy", "allowed: skip, error"),
        ("activations: {observer: {name: minmax, opts: {}}}", "activations.observer.opts", "unknown key 'opts'"),
        ("activations: {granularity: per-group}", "activations.granularity", "per-tensor, per-channel (activations)"),
        ("naming: {rules: [{pattern: '(', role: weight}]}", "naming.rules[0].pattern", "a regular expression"),
        (
            "naming: {rules: [{pattern: 'x', role: kernel}]}", "naming.rules[0].role",
            "allowed: weight, bias, activation"
        ),
        ("version: 2", "version", "allowed: 1...1"),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidYAMLNamingTheKey(document: String, keyPath: String, message: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.parse(document, format: .yaml, file: "c.yaml")
        }
        #expect(error.keyPath == keyPath)
        #expect(error.description.contains(message), "\(error)")
        #expect(error.file == "c.yaml")
        #expect(error.line == 1)
    }

    @Test func yamlErrorsCarryTheLineOfTheKey() throws {
        let document = """
            weights:
              bits: 8
            overrides:
              - match: fc1
                activations:
                  scheme: sideways
            """
        let error = try #require(throws: ConfigError.self) { try CalibrationConfig.parse(document, format: .yaml) }
        #expect(error.keyPath == "overrides[0].activations.scheme")
        #expect(error.line == 6)
        #expect(error.column == 15)
    }

    @Test func malformedYAMLReportsTheParserPosition() throws {
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.parse("weights:\n  bits: 8\n   scheme: [auto\n", format: .yaml, file: "bad.yaml")
        }
        guard case .malformed = error.reason else {
            Issue.record("expected malformed, got \(error.reason)")
            return
        }
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("bad.yaml:3:"))
    }

    @Test func malformedJSONReportsTheParserPosition() throws {
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.parse("{\n  \"weights\": {\"bits\": 8,}\n  x\n}", format: .json)
        }
        guard case .malformed = error.reason else {
            Issue.record("expected malformed, got \(error.reason)")
            return
        }
        #expect(error.line == 3, "\(error)")
        #expect(error.column == 3, "\(error)")
    }

    @Test func jsonErrorsNameTheKeyPath() throws {
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.parse(#"{"overrides": [{"match": "a"}, {"match": "b", "weights": {"bits": "8"}}]}"#)
        }
        #expect(error.keyPath == "overrides[1].weights.bits")
        #expect(error.reason == .wrongType(expected: "an integer"))
    }

    @Test func unknownObserverNamesTheRegisteredOnes() throws {
        let document = "activations:\n  bits: 8\n  observer: fancy\n"
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.parse(document, format: .yaml, observerNames: ["minmax", "histogram"])
        }
        #expect(error.reason == .unknownObserver("fancy", known: ["minmax", "histogram"]))
        #expect(error.keyPath == "activations.observer.name")
        #expect(error.line == 3)
    }

    @Test func loadsFromFileAndReportsMissingFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-config-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.json").path
        try #"{"weights": {"bits": 6}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CalibrationConfig.load(contentsOf: path).weights.bits == 6)
        let error = try #require(throws: ConfigError.self) {
            try CalibrationConfig.load(contentsOf: directory.appendingPathComponent("none.yaml").path)
        }
        guard case .unreadable = error.reason else {
            Issue.record("expected unreadable, got \(error.reason)")
            return
        }
    }
}
