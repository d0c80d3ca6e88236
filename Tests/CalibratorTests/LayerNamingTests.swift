import Testing

@testable import Calibrator

@Suite struct LayerNamingTests {
    @Test(arguments: [
        ("/fc1/weight", "fc1", DatasetRole.weight), ("/fc1/bias", "fc1", .bias),
        ("fc1.weight", "fc1", .weight), ("/encoder.layer.0.q.bias", "encoder.layer.0.q", .bias),
        ("/model/fc2.weight", "model/fc2", .weight), ("/dense_1/kernel", "dense_1", .weight),
        ("/dense/dense/kernel:0", "dense", .weight), ("/dense/dense/bias:0", "dense", .bias),
        ("/model_weights/conv1/conv1/kernel:0", "conv1", .weight), ("/a/b/weight", "a/b", .weight),
    ])
    func builtinWeightConventions(path: String, layer: String, role: DatasetRole) throws {
        let naming = try LayerNaming()
        #expect(naming.assignment(of: path, from: .weights) == LayerAssignment(layer: layer, role: role))
    }

    @Test(arguments: ["/weight", "/fc1/running_mean", "/x", ".weight", "/model_weights/kernel:0"])
    func builtinWeightConventionsLeaveOthersUnmapped(path: String) throws {
        #expect(try LayerNaming().assignment(of: path, from: .weights) == nil)
    }

    @Test(arguments: [("/fc1", "fc1"), ("/enc/q/input", "enc/q"), ("fc3", "fc3")])
    func builtinActivationConventions(path: String, layer: String) throws {
        #expect(
            try LayerNaming().assignment(of: path, from: .activations)
                == LayerAssignment(layer: layer, role: .activation))
    }

    @Test func userRulesAndMapTakePrecedence() throws {
        let config = NamingConfig(
            rules: [
                NamingRule(pattern: #"layers/(\d+)/w"#, layer: "block$1", role: .weight),
                NamingRule(pattern: #"acts/(.+)_in"#, layer: "$1", role: .activation),
            ],
            map: ["/fc1/weight": DatasetAssignment(layer: "first", role: .weight)])
        let naming = try LayerNaming(config)
        #expect(
            naming.assignment(of: "/layers/12/w", from: .weights) == LayerAssignment(layer: "block12", role: .weight))
        #expect(
            naming.assignment(of: "/acts/block12_in", from: .activations)
                == LayerAssignment(layer: "block12", role: .activation))
        #expect(naming.assignment(of: "fc1/weight", from: .weights) == LayerAssignment(layer: "first", role: .weight))
        // A weight rule never applies to activation datasets.
        #expect(
            naming.assignment(of: "/layers/12/w", from: .activations)
                == LayerAssignment(layer: "layers/12/w", role: .activation))
        // Built-ins still apply after the rules, unless switched off.
        #expect(naming.assignment(of: "/fc2/bias", from: .weights) == LayerAssignment(layer: "fc2", role: .bias))
        let strict = try LayerNaming(NamingConfig(builtinRules: false, rules: config.rules))
        #expect(strict.assignment(of: "/fc2/bias", from: .weights) == nil)
    }

    @Test func mapsTheBundledLayoutInNaturalOrder() throws {
        let map = try LayerNaming().map(
            weights: ["/fc10/weight", "/fc1/bias", "/fc1/weight", "/fc2/weight", "/bn/running_var", "/fc9/bias"],
            activations: ["/fc1", "/fc2", "/fc10"])
        #expect(map.layers.map(\.layer) == ["fc1", "fc2", "fc9", "fc10"])
        #expect(map["fc1"] == LayerDatasets(layer: "fc1", weight: "/fc1/weight", bias: "/fc1/bias", activation: "/fc1"))
        #expect(map["fc10"]?.activation == "/fc10")
        #expect(
            map.warnings == [
                .unmappedDataset("/bn/running_var", origin: .weights),
                .biasWithoutWeight(layer: "fc9", dataset: "/fc9/bias"),
            ])
    }

    @Test func twoDatasetsForOneRoleIsAnError() throws {
        let error = try #require(throws: LayerNamingError.self) {
            try LayerNaming().map(weights: ["/fc1/weight", "/fc1.weight", "/fc2/kernel"], activations: [])
        }
        #expect(error == .duplicateRole(layer: "fc1", role: .weight, datasets: ["/fc1/weight", "/fc1.weight"]))
        #expect(error.description.contains("naming.map"))
    }

    /// naming.unmatched: a warning per layer found in only one kind of input (default), or one error.
    @Test func unmatchedLayersWarnOrFail() throws {
        let weights = ["/fc1/weight", "/fc2/weight"]
        let activations = ["/fc1", "/head"]
        let map = try LayerNaming().map(weights: weights, activations: activations)
        #expect(
            map.warnings == [
                .unmatchedLayer(layer: "fc2", dataset: "/fc2/weight", origin: .weights),
                .unmatchedLayer(layer: "head", dataset: "/head", origin: .activations),
            ])
        #expect(try LayerNaming().map(weights: weights, activations: []).warnings.isEmpty)
        let error = try #require(throws: LayerNamingError.self) {
            try LayerNaming(NamingConfig(unmatched: .error)).map(weights: weights, activations: activations)
        }
        #expect(
            error == .unmatchedLayers(weightsOnly: ["/fc2/weight (layer fc2)"], activationsOnly: ["/head (layer head)"])
        )
    }

    /// Layer names with control characters are refused; path-like names are kept as plain names.
    @Test func controlCharactersInLayerNamesAreErrors() throws {
        let naming = try LayerNaming(NamingConfig(map: ["/w": DatasetAssignment(layer: "a\u{0}b", role: .weight)]))
        #expect(throws: LayerNamingError.invalidLayerName(layer: "a\u{0}b", dataset: "/w", origin: .weights)) {
            try naming.map(weights: ["/w"], activations: [])
        }
        let map = try LayerNaming().map(weights: ["/../x/weight"], activations: ["/../x"])
        #expect(map.layers.map(\.layer) == ["../x"])
        let config = #"{"version": 1, "naming": {"map": {"/w": {"layer": "", "role": "weight"}}}}"#
        let configError = try #require(throws: ConfigError.self) { try CalibrationConfig.parse(config) }
        #expect(configError.keyPath == "naming.map./w.layer")
    }

    @Test func invalidRuleIsAConfigError() throws {
        let error = try #require(throws: ConfigError.self) {
            try LayerNaming(NamingConfig(rules: [NamingRule(pattern: "([a-", role: .weight)]))
        }
        #expect(error.keyPath == "naming.rules[0].pattern")
    }

    @Test(arguments: [
        ("fc2", "fc10", true), ("fc10", "fc2", false), ("a", "a", false), ("a", "ab", true),
        ("x01", "x1", false), ("x1", "x01", true), ("b1", "a2", false),
    ])
    func naturalOrder(a: String, b: String, less: Bool) {
        #expect(NaturalOrder.less(a, b) == less)
    }
}
