import Foundation
import Observers
import Testing

@testable import Calibrator

/// Every example configuration in `Configs/` parses and validates.
@Suite struct ConfigsTests {
    static let files = [
        "int8.yaml", "w8a8-per-channel.yaml", "w4-per-group.yaml", "custom-observer.yaml", "overrides.yaml",
        "w8a8-pytorch.json", "w4-g128-gptq.yaml", "w4-g128-importance-clip.yaml", "w4-g128-awq.yaml",
        "w4-g128.yaml", "w8a8-smoothquant.yaml",
    ]

    @Test(arguments: files)
    func exampleConfigParses(name: String) throws {
        let names = ObserverRegistry.builtIn.names + (name == "custom-observer.yaml" ? ["mean-std"] : [])
        let config = try CalibrationConfig.load(contentsOf: Bundled.config(name), observerNames: names)
        #expect(config.version == 1)
    }

    @Test func everyConfigIsListed() throws {
        let present = try FileManager.default.contentsOfDirectory(
            atPath: Bundled.root.appendingPathComponent("Configs").path)
        #expect(Set(present.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }) == Set(Self.files))
    }

    @Test func int8IsTheBuiltInDefault() throws {
        let config = try CalibrationConfig.load(contentsOf: Bundled.config("int8.yaml"))
        #expect(config.policy(for: "x").weights == CalibrationConfig().policy(for: "x").weights)
        #expect(config.policy(for: "x").activations == CalibrationConfig().policy(for: "x").activations)
    }

    @Test func weightMethodsRaiseTheMomentsLevel() throws {
        let gptq = try CalibrationConfig.load(contentsOf: Bundled.config("w4-g128-gptq.yaml")).policy(for: "fc1")
        #expect(gptq.weights.method == .gptq && gptq.weights.blockSize == 128 && gptq.weights.damping == 0.01)
        #expect(gptq.weights.actOrder == true)
        #expect(gptq.inputMomentsLevel == .gram)
        let clip = try CalibrationConfig.load(contentsOf: Bundled.config("w4-g128-importance-clip.yaml"))
        #expect(clip.policy(for: "fc1").inputMomentsLevel == .perFeature)
        let awq = try CalibrationConfig.load(contentsOf: Bundled.config("w4-g128-awq.yaml")).policy(for: "fc1")
        #expect(awq.weights.method == .awq && awq.weights.alphaGrid == 20 && awq.inputMomentsLevel == .gram)
        #expect(CalibrationConfig().policy(for: "fc1").inputMomentsLevel == InputMomentsLevel.none)
        // an override switches one layer back to round-to-nearest (and no moments)
        let mixed = try CalibrationConfig.parse(
            "version: 1\nweights: {method: gptq}\noverrides:\n  - match: head\n    weights: {method: rtn}\n",
            format: .yaml)
        #expect(mixed.policy(for: "head").weights.method == nil && mixed.policy(for: "head").inputMomentsLevel == .none)
        #expect(mixed.policy(for: "fc1").weights.method == .gptq)
        for bad in [
            "weights: {damping: 2}", "weights: {block-size: 0}", "weights: {method: awq2}",
            "activations: {act-order: true}", "weights: {alpha-grid: 0}", "activations: {alpha-grid: 4}",
        ] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try CalibrationConfig.parse("version: 1\n\(bad)\n", format: .yaml)
            }
        }
    }

    /// `weights: smoothing:`: a fixed α needs the per-feature moments, a search the Gram matrix; an override's
    /// `smoothing: none` turns it off; bad settings are errors at their key.
    @Test func smoothingRaisesTheMomentsLevelAndOverridesTurnItOff() throws {
        let config = try CalibrationConfig.load(contentsOf: Bundled.config("w8a8-smoothquant.yaml"))
        let fc1 = config.policy(for: "fc1")
        #expect(fc1.weights.smoothing == SmoothingSetting(alpha: .fixed(0.5)) && fc1.inputMomentsLevel == .perFeature)
        let mixed = try CalibrationConfig.parse(
            "version: 1\nweights: {smoothing: {method: smoothquant, alpha: search, alpha-grid: 8}}\noverrides:\n"
                + "  - match: head\n    weights: {smoothing: none}\n", format: .yaml)
        #expect(mixed.policy(for: "fc1").weights.smoothing?.alpha == .search(count: 8))
        #expect(mixed.policy(for: "fc1").inputMomentsLevel == .gram)
        #expect(mixed.policy(for: "head").weights.smoothing == nil)
        #expect(mixed.policy(for: "head").inputMomentsLevel == InputMomentsLevel.none)
        for bad in [
            "weights: {smoothing: {method: smoothquant, alpha: -0.1}}", "weights: {smoothing: {alpha: 0.5}}",
            "weights: {smoothing: {method: smoothquant, alpha: search, alpha-grid: 0}}",
            "weights: {smoothing: {method: smoothquant, beta: 1}}", "weights: {smoothing: yes}",
            "weights: {method: smoothquant}",
        ] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try CalibrationConfig.parse("version: 1\n\(bad)\n", format: .yaml)
            }
        }
    }

    @Test func overridesResolveAsDocumented() throws {
        let config = try CalibrationConfig.load(contentsOf: Bundled.config("overrides.yaml"))
        #expect(config.policy(for: "fc2").weights.bits == 6)
        #expect(config.policy(for: "fc1").activations.observer == ObserverSpec("minmax"))
        #expect(config.policy(for: "fc3").excluded)
        #expect(!config.policy(for: "fc2").excluded)
    }
}

/// The annotated example in the README's "Configuration" section parses.
@Suite struct ReadmeConfigTests {
    @Test func readmeExampleParses() throws {
        let readme = try String(contentsOf: Bundled.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Configuration"))
        let after = readme[section.upperBound...]
        let start = try #require(after.range(of: "```yaml\n"))
        let end = try #require(after[start.upperBound...].range(of: "```"))
        let yaml = String(after[start.upperBound..<end.lowerBound])
        let config = try CalibrationConfig.parse(yaml, format: .yaml, observerNames: ObserverRegistry.builtIn.names)
        #expect(config.overrides.count == 2)
        #expect(config.naming.rules.count == 1)
        #expect(config.policy(for: "fc1").weights.granularity == .perGroup)
        #expect(config.policy(for: "head").excluded)
    }
}
