import Foundation
import HDF5
import Observers
import Testing

@testable import Calibrator

/// Issue 14: weights files from the real producers (Keras 3 native and legacy, a PyTorch state dict in
/// HDF5, flat and nested; `Tests/Fixtures/make_layout_fixtures.py`) — their layout detected, layers named
/// as the framework names them, one scale per output channel for every kernel, norm parameters and
/// embeddings kept in float by default, and every bundled configuration running on each.
@Suite struct ModelLayoutTests {
    static func fixture(_ name: String) -> String {
        Bundled.root.appendingPathComponent("Tests/Fixtures/layouts/\(name)").path
    }

    static let fixtures: [(file: String, layout: ModelLayout)] = [
        ("digits_cnn.weights.h5", .keras), ("digits_cnn.h5", .kerasLegacy), ("text_emb.weights.h5", .keras),
        ("text_emb.h5", .kerasLegacy), ("bert_tiny_flat.h5", .torch), ("bert_tiny_nested.h5", .torch),
    ]

    /// The expected output-channel count of each kernel, by layer (`dw1`: its 6 input channels; see
    /// ``ModelLayoutDetector``: with depth multiplier 2 each scale serves two output channels).
    static let kerasChannels = ["conv1": 6, "dw1": 6, "up1": 4, "fc1": 16, "fc2": 10, "head": 3]
    static let torchLayers: Set<String> = [
        "embeddings.LayerNorm", "embeddings.word_embeddings", "encoder.layer.0.attention.output.LayerNorm",
        "encoder.layer.0.attention.output.dense", "encoder.layer.0.attention.self.key",
        "encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value",
        "encoder.layer.0.intermediate.dense", "encoder.layer.0.output.LayerNorm", "encoder.layer.0.output.dense",
    ]

    static func calibrate(_ file: String, _ config: CalibrationConfig = CalibrationConfig()) throws
        -> (CalibrationResult, [CalibratedTensor])
    {
        var tensors: [CalibratedTensor] = []
        var calibrator = try Calibrator(config: config)
        calibrator.threads = 1
        let result = try calibrator.calibrate(weights: fixture(file), activations: []) { _ in
        } tensors: {
            tensors.append($0)
        }
        return (result, tensors)
    }

    @Test(arguments: fixtures.map(\.file))
    func layoutIsDetected(file: String) throws {
        let expected = try #require(Self.fixtures.first { $0.file == file }).layout
        let detected = try ModelLayoutDetector.detect(file: Self.fixture(file), choice: .auto)
        #expect(detected.layout == expected, "\(detected.reason)")
        let (result, _) = try Self.calibrate(file)
        #expect(result.layout?.layout == expected)
    }

    @Test func theBundledDemoWeightsAreATorchLayoutWithTheSameLayers() throws {
        let detected = try ModelLayoutDetector.detect(file: Bundled.weights, choice: .auto)
        #expect(detected.layout == .torch)
        #expect(Set(detected.tensors.values.map(\.layer)) == ["fc1", "fc2", "fc3"])
    }

    @Test(arguments: ["digits_cnn.weights.h5", "digits_cnn.h5"])
    func kerasLayersAreNamedAndKernelsGetOneScalePerOutputChannel(file: String) throws {
        let (result, tensors) = try Self.calibrate(file)
        #expect(Set(result.layers.map(\.layer)) == ["bn1", "conv1", "dw1", "fc1", "fc2", "up1"])
        #expect(result.layout?.layerClasses["up1"] == "Conv2DTranspose")
        #expect(result.layout?.layerClasses["dw1"] == "DepthwiseConv2D")
        for layer in result.layers where layer.layer != "bn1" {
            let weight = try #require(layer.weight, "\(layer.layer)")
            #expect(weight.scales.count == Self.kerasChannels[layer.layer], "\(layer.layer) \(weight.shape)")
        }
        // The last axis for Dense/Conv2D, the second to last for Conv2DTranspose [h, w, out, in].
        #expect(result["conv1"]?.weight?.granularity == .perChannel(axis: 3))
        #expect(result["up1"]?.weight?.granularity == .perChannel(axis: 2))
        #expect(result["fc1"]?.weight?.granularity == .perChannel(axis: 1))
        // BatchNormalization: gamma, beta and the moving statistics in float, with a note.
        let bn = tensors.filter { $0.layer == "bn1" }
        #expect(bn.count == 4)
        #expect(Set(bn.compactMap(\.layoutRole)) == ["norm_scale", "norm_shift", "other"])
        for tensor in bn {
            guard case .float32(_, let note) = tensor.content else {
                Issue.record("\(tensor.dataset) is quantized")
                continue
            }
            #expect(note.contains("kept in float"))
        }
        #expect(result.warnings.contains { $0.contains("dw1") && $0.contains("depth multiplier 2") })
    }

    @Test func aConfiguredAxisStaysAnExplicitOverride() throws {
        var config = CalibrationConfig()
        config.weights.axis = 0
        let (result, _) = try Self.calibrate("digits_cnn.weights.h5", config)
        #expect(result["fc1"]?.weight?.scales.count == 4)
        #expect(result["conv1"]?.weight?.scales.count == 3)
    }

    @Test(arguments: ["bert_tiny_flat.h5", "bert_tiny_nested.h5"])
    func torchStateDictNamesModulesAndKeepsNormsAndEmbeddingsInFloat(file: String) throws {
        let (result, tensors) = try Self.calibrate(file)
        #expect(Set(result.layers.map(\.layer)) == Self.torchLayers)
        for layer in result.layers {
            if layer.layer.hasSuffix("LayerNorm") || layer.layer.hasSuffix("word_embeddings") {
                #expect(layer.weight == nil, "\(layer.layer) is quantized")
            } else {
                let weight = try #require(layer.weight)
                #expect(weight.granularity == .perChannel(axis: 0))
                #expect(weight.scales.count == weight.shape[0])
            }
        }
        let query = try #require(tensors.first { $0.layer == "encoder.layer.0.attention.self.query" })
        #expect(query.sourceName == "encoder.layer.0.attention.self.query.weight")
        let gamma = try #require(
            tensors.first { $0.layer == "encoder.layer.0.output.LayerNorm" && $0.role == "weight" })
        #expect(gamma.layoutRole == "norm_scale")
    }

    @Test func embeddingsAreQuantizedPerRowOnRequest() throws {
        var config = CalibrationConfig()
        config.embeddings = .quantize
        let (result, _) = try Self.calibrate("bert_tiny_flat.h5", config)
        let table = try #require(result["embeddings.word_embeddings"]?.weight)
        #expect(table.shape == [64, 16])
        #expect(table.scales.count == 64)
        let (keras, _) = try Self.calibrate("text_emb.weights.h5", config)
        #expect(keras["embed"]?.weight?.scales.count == 32)
        let (kept, _) = try Self.calibrate("text_emb.weights.h5")
        #expect(kept["embed"]?.weight == nil)
    }

    @Test func aForcedLayoutIsRecorded() throws {
        var config = CalibrationConfig()
        config.layout = .generic
        let (result, _) = try Self.calibrate("bert_tiny_flat.h5", config)
        #expect(result.layout?.layout == .generic)
        #expect(result.layout?.reason == "configured (layout: generic)")
        // Generic rules: 1-D weights (the LayerNorm gammas) stay in float, matrices are quantized.
        #expect(result["encoder.layer.0.output.LayerNorm"]?.weight == nil)
        #expect(result["embeddings.word_embeddings"]?.weight != nil)
    }

    static let configs = ConfigsTests.files

    /// Every bundled configuration on every fixture (and the demo's weights).
    @Test(arguments: configs)
    func everyConfigRunsOnEveryLayout(name: String) throws {
        var registry = ObserverRegistry.builtIn
        if name == "custom-observer.yaml" {
            // Only its activation observer differs; these runs have no activations.
            struct Options: Codable, Sendable { var k: Double = 2 }
            try registry.register(name: "mean-std", summary: "test stand-in", defaults: Options()) { _ in
                MinMaxObserver()
            }
        }
        let config = try CalibrationConfig.load(contentsOf: Bundled.config(name), observerNames: registry.names)
        if config.policy(for: "any").weights.method != nil || config.policy(for: "any").weights.smoothing != nil {
            // The calibration-driven methods (and smoothing) round from the layer inputs' moments: without
            // activations every fixture is refused, naming the layer (with activations: WeightMethodTests).
            for file in Self.fixtures.map(\.file) {
                var calibrator = try Calibrator(config: config, observers: registry)
                calibrator.threads = 1
                #expect(throws: CalibrationError.self, "\(name) \(file)") {
                    _ = try calibrator.calibrate(weights: Self.fixture(file), activations: [])
                }
            }
            return
        }
        for file in Self.fixtures.map(\.file) {
            var calibrator = try Calibrator(config: config, observers: registry)
            calibrator.threads = 1
            let result = try calibrator.calibrate(weights: Self.fixture(file), activations: [])
            for layer in result.layers {
                guard let weight = layer.weight, case .perChannel(let axis) = weight.granularity else { continue }
                #expect(weight.scales.count == weight.shape[axis], "\(name) \(file) \(layer.layer)")
            }
            #expect(!result.layers.isEmpty, "\(name) \(file)")
        }
    }

    @Test(arguments: [
        ("keras_native_vars_without_name.weights.h5", "/layers/dense/vars"),
        ("keras_legacy_missing_layer_group.h5", "/model_weights/head"),
        ("keras_legacy_missing_weight.h5", "/model_weights/head/head/bias"),
    ])
    func damagedLayoutsNameTheFileAndThePath(file: String, path: String) throws {
        let full = Bundled.root.appendingPathComponent("Tests/Fixtures/badinput/\(file)").path
        do {
            _ = try Calibrator().calibrate(weights: full, activations: [])
            Issue.record("\(file) was accepted")
        } catch {
            guard case .layout(let layout) = error else {
                Issue.record("\(file): \(error)")
                return
            }
            #expect(layout.file == full)
            #expect(layout.path == path)
        }
    }

    @Test func kerasClassNamesRoundTrip() {
        for name in ["Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "BatchNormalization", "Dense", "Conv1D"] {
            #expect(KerasClass.camel(KerasClass.snake(name)) == name)
        }
        #expect(KerasClass.snake("Conv2DTranspose") == "conv2d_transpose")
        #expect(KerasClass.stripIndex("dense_12") == "dense")
        #expect(KerasClass.stripIndex("conv2d") == "conv2d")
    }
}

/// Biases of a Keras layout become int32 where the layer's input scale is known.
@Suite struct ModelLayoutBiasTests {
    @Test func kerasBiasIsInt32PerOutputChannelWithAnInputScale() throws {
        let scratch = try ScratchDirectory("layout-bias")
        defer { scratch.remove() }
        let activations = scratch.path("acts.h5")
        // fc1's recorded input: 32 rows of its 4 input features.
        try writeHDF5(activations, [("fc1", [32, 4], (0..<128).map { Float($0 % 17) / 17 })])
        var calibrator = try Calibrator()
        calibrator.threads = 1
        let result = try calibrator.calibrate(
            weights: ModelLayoutTests.fixture("digits_cnn.weights.h5"), activations: [activations])
        let bias = try #require(result["fc1"]?.bias)
        #expect(bias.quantized)
        #expect(bias.scales.count == 16)
        #expect(result["fc2"]?.bias?.quantized == false)
    }
}

/// The scale counts checked against what Keras itself recorded: `filters` / `units` of each layer in the
/// legacy file's `model_config` (written by `model.save`), for the native and the legacy file.
@Suite struct ModelLayoutKerasConfigTests {
    @Test(arguments: ["digits_cnn", "text_emb"])
    func everyKernelHasOneScalePerFilterOrUnit(model: String) throws {
        let legacy = ModelLayoutTests.fixture("\(model).h5")
        let file = try HDF5.File(legacy)
        guard case .string(let text) = try file.attribute("model_config") else {
            Issue.record("model_config is not a string")
            return
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require((json["config"] as? [String: Any])?["layers"] as? [[String: Any]])
        var outputs: [String: Int] = [:]
        for layer in layers {
            guard let config = layer["config"] as? [String: Any], let name = config["name"] as? String else { continue }
            if let count = (config["filters"] ?? config["units"]) as? Int { outputs[name] = count }
        }
        #expect(!outputs.isEmpty)
        for weights in [legacy, ModelLayoutTests.fixture("\(model).weights.h5")] {
            let result = try Calibrator().calibrate(weights: weights, activations: [])
            for (name, count) in outputs {
                #expect(result[name]?.weight?.scales.count == count, "\(weights) \(name)")
            }
        }
    }
}

/// PyTorch transposed convolutions (`ConvTranspose2d.weight` `[in, out/groups, kH, kW]`) get their scales
/// along axis 1, as torch's own quantization does; checked against torch's `PerChannelMinMaxObserver` scales
/// written by `make_layout_fixtures.py torch-conv` (`torch_cnn_scales.json`, the channel axis per module).
@Suite struct ModelLayoutTorchConvolutionTests {
    struct Golden: Decodable {
        struct Layer: Decodable {
            var axis: Int
            var scales: [Float]
        }
        var layers: [String: Layer]
    }

    @Test func transposedConvolutionScalesAreTorchsPerOutputChannelScales() throws {
        let golden = try JSONDecoder().decode(
            Golden.self,
            from: Data(contentsOf: URL(fileURLWithPath: ModelLayoutTests.fixture("torch_cnn_scales.json"))))
        let config = try CalibrationConfig.parse(
            """
            version: 1
            weights: {observer: minmax, bits: 8, scheme: symmetric, granularity: per-channel, profile: pytorch, narrow-range: false}
            """, format: .yaml)
        let detected = try ModelLayoutDetector.detect(file: ModelLayoutTests.fixture("torch_cnn.h5"), choice: .auto)
        #expect(detected.layout == .torch)
        let (result, _) = try ModelLayoutTests.calibrate("torch_cnn.h5", config)
        #expect(Set(golden.layers.keys) == ["conv1", "up", "gup", "deconv2", "fc"])
        for (name, expected) in golden.layers {
            let weight = try #require(result[name]?.weight, "\(name)")
            #expect(weight.scales == expected.scales, "\(name): ours \(weight.scales), torch \(expected.scales)")
            let tensor = try #require(detected.tensors["/\(name).weight"])
            #expect(tensor.outputAxis == expected.axis, "\(name)")
        }
        // What is a guess or a compromise says so.
        #expect(detected.tensors["/gup.weight"]?.axisNote?.contains("2 groups") == true)
        #expect(detected.tensors["/deconv2.weight"]?.axisNote?.contains("no bias") == true)
        #expect(detected.tensors["/up.weight"]?.axisNote == nil)
    }
}
