import Testing

@testable import Calibrator

@Suite struct LayerPolicyTests {
    static let config = """
        weights: {bits: 4, granularity: per-group, group-size: 64, axis: 1}
        activations: {observer: histogram, scheme: auto}
        overrides:
          - match: "fc*"
            weights: {bits: 8}
          - match: ["fc3", "head/*"]
            exclude: true
            activations: {observer: {name: percentile, options: {percentile: 99.0}}}
          - match: "fc3"
            exclude: false
            weights: {granularity: per-channel, axis: 0}
        """

    @Test func builtinDefaultsApplyWithoutAConfig() {
        let policy = CalibrationConfig().policy(for: "any")
        #expect(policy.weights == QuantizationSettings.weightDefaults)
        #expect(policy.activations == QuantizationSettings.activationDefaults)
        #expect(!policy.excluded)
        #expect(policy.appliedOverrides.isEmpty)
    }

    @Test func defaultsThenOverridesInOrder() throws {
        let config = try CalibrationConfig.parse(Self.config, format: .yaml)

        let other = config.policy(for: "proj")
        #expect(other.weights.bits == 4)
        #expect(other.weights.granularity == .perGroup)
        #expect(other.weights.groupSize == 64)
        #expect(other.weights.scheme == .symmetric)  // built-in
        #expect(other.activations.observer == ObserverSpec("histogram"))
        #expect(other.activations.scheme == .auto)

        let fc1 = config.policy(for: "fc1")
        #expect(fc1.weights.bits == 8)
        #expect(fc1.weights.granularity == .perGroup)
        #expect(fc1.appliedOverrides.map(\.index) == [0])

        let head = config.policy(for: "head/out")
        #expect(head.excluded)
        #expect(head.activations.observer == ObserverSpec("percentile", options: ["percentile": .double(99.0)]))
        #expect(head.activations.scheme == .auto)  // the observer replaced, the rest inherited

        let fc3 = config.policy(for: "fc3")
        #expect(!fc3.excluded)  // the later override wins
        #expect(fc3.weights.bits == 8)
        #expect(fc3.weights.granularity == .perChannel)
        #expect(fc3.weights.axis == 0)
        #expect(fc3.weights.groupSize == 64)
        #expect(fc3.appliedOverrides.map(\.index) == [0, 1, 2])
    }

    @Test(arguments: [
        ("fc*", "fc12", true), ("fc?", "fc12", false), ("enc*", "enc/attn/q", true),
        ("fc[13]", "fc3", true), ("fc[!13]", "fc3", false), ("fc1", "fc10", false),
    ])
    func globs(pattern: String, name: String, matches: Bool) {
        #expect(LayerGlob.matches(pattern, name) == matches)
    }
}
