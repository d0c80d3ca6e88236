import Foundation
import Observers
import QuantCore
import TestSupport
import Testing

@testable import Calibrator

@Suite struct CalibratorTests {
    /// Activations of two layers: `relu` = max(0, N(0.5, 1)), `gauss` = N(0, 1); weights for `gauss`.
    static func writeSyntheticLayers(in scratch: ScratchDirectory) throws -> (weights: String, activations: String) {
        var rng = SplitMix64(seed: 42)
        let rows = 512
        let width = 16
        let relu = (0..<(rows * width)).map { _ in Float(max(0, 0.5 + rng.normal())) }
        let gauss = (0..<(rows * width)).map { _ in Float(rng.normal()) }
        let weight = (0..<(8 * width)).map { _ in Float(0.1 * rng.normal()) }
        let bias = (0..<8).map { _ in Float(0.05 * rng.normal()) }
        let activations = scratch.path("acts.h5")
        let weights = scratch.path("weights.h5")
        try writeHDF5(activations, [("/relu", [rows, width], relu), ("/gauss", [rows, width], gauss)])
        try writeHDF5(weights, [("/gauss/weight", [8, width], weight), ("/gauss/bias", [8], bias)])
        return (weights, activations)
    }

    /// `retainsWeightParameters = false` (what a package job sets) empties each weight's per-parameter
    /// arrays once the layer is done, and changes nothing else: the result equals the retaining one with
    /// those arrays emptied, its parameter counts included, and the biases still got their scales from the
    /// weights' (they are calibrated before the arrays go).
    @Test(arguments: ["w8a8-per-channel.yaml", "w4-per-group.yaml"])
    func notRetainingWeightParametersEmptiesOnlyTheirArrays(config name: String) throws {
        let config = try CalibrationConfig.load(contentsOf: Bundled.config(name))
        let retaining = try Calibrator(config: config).calibrate(
            weights: Bundled.weights, activations: [Bundled.activations])
        var calibrator = try Calibrator(config: config)
        calibrator.retainsWeightParameters = false
        let released = try calibrator.calibrate(weights: Bundled.weights, activations: [Bundled.activations])
        var expected = retaining
        for index in expected.layers.indices {
            let weight = try #require(expected.layers[index].weight)
            #expect(weight.parameterCount == weight.scales.count && weight.scales.count > 1, "\(weight.dataset)")
            #expect(expected.layers[index].bias?.scales.count == weight.parameterCount || name.contains("group"))
            expected.layers[index].weight?.releaseParameterArrays()
        }
        #expect(released == expected)
        #expect(released.layers.allSatisfy { $0.weight?.scales.isEmpty == true })
        #expect(released.layers.allSatisfy { $0.weight?.rangeMins.isEmpty == true })
    }

    @Test(arguments: ["minmax", "histogram", "mse"])
    func autoPicksAsymmetricAfterReLUAndSymmetricForAGaussian(observer: String) throws {
        let scratch = try ScratchDirectory("auto")
        defer { scratch.remove() }
        let (_, activations) = try Self.writeSyntheticLayers(in: scratch)
        let config = try CalibrationConfig.parse("activations: {observer: \(observer), scheme: auto, auto-margin: 0.1}")
        let result = try Calibrator(config: config).calibrate(weights: nil, activations: [activations])

        let relu = try #require(result["relu"]?.activation)
        #expect(relu.scheme.requested == .auto)
        #expect(relu.scheme.chosen == .asymmetric, "\(relu.scheme.reason)")
        let reluSym = try #require(relu.scheme.symmetricError)
        let reluAsym = try #require(relu.scheme.asymmetricError)
        #expect(reluAsym <= 0.9 * reluSym)
        #expect(relu.zeroPoint == -128)  // zero at the bottom code: all values ≥ 0

        let gauss = try #require(result["gauss"]?.activation)
        #expect(gauss.scheme.chosen == .symmetric, "\(gauss.scheme.reason)")
        let gaussSym = try #require(gauss.scheme.symmetricError)
        let gaussAsym = try #require(gauss.scheme.asymmetricError)
        #expect(gaussAsym > 0.9 * gaussSym)
        #expect(gauss.zeroPoint == 0)
        #expect(gauss.scheme.reason.contains("symmetric kept"))

        // The decision is in the encoded result.
        let json = try #require(String(data: try result.encodedJSON(), encoding: .utf8))
        #expect(json.contains("\"chosen\" : \"asymmetric\""))
        #expect(json.contains("\"asymmetricError\""))
    }

    @Test func autoMarginCanKeepSymmetric() throws {
        let scratch = try ScratchDirectory("margin")
        defer { scratch.remove() }
        let (_, activations) = try Self.writeSyntheticLayers(in: scratch)
        // The ReLU layer's asymmetric error is about a quarter of the symmetric one: a 90 % margin keeps symmetric.
        let config = try CalibrationConfig.parse("activations: {scheme: auto, auto-margin: 0.9}")
        let result = try Calibrator(config: config).calibrate(weights: nil, activations: [activations])
        #expect(result["relu"]?.activation?.scheme.chosen == .symmetric)
    }

    @Test func expectedErrorOnTheHistogramMatchesTheMeasuredError() throws {
        // The histogram estimate of the quantization MSE is close to the MSE of fake-quantizing the data.
        var rng = SplitMix64(seed: 7)
        let data = (0..<20_000).map { _ in Float(rng.normal()) }
        var histogram = ExactHistogram()
        data.withUnsafeBufferPointer { histogram.add($0) }
        let scheme = try AffineScheme(format: .int8, symmetry: .asymmetric)
        let p = scheme.parameters(min: -2, max: 2)  // clips the tails
        let estimate = histogram.expectedSquaredError(scale: p.scale, zeroPoint: p.zeroPoint, format: .int8)
        let restored = try scheme.parameters(mins: [-2], maxs: [2], shape: [data.count]).fakeQuantize(data)
        let measured = try ErrorMetrics(reference: data, reconstruction: restored).meanSquaredError
        #expect(abs(estimate - measured) <= 0.05 * measured, "estimate \(estimate), measured \(measured)")
        let outside = Double(data.filter { $0 < -2 || $0 > 2 }.count) / Double(data.count)
        let representable = (
            Double(p.scale) * (Double(-128 - Int(p.zeroPoint)) - 0.5),
            Double(p.scale) * (Double(127 - Int(p.zeroPoint)) + 0.5)
        )
        #expect(abs(histogram.fractionOutside(low: representable.0, high: representable.1) - outside) < 0.002)
    }

    @Test func biasGetsInt32WithInputTimesWeightScale() throws {
        let scratch = try ScratchDirectory("bias")
        defer { scratch.remove() }
        let (weights, activations) = try Self.writeSyntheticLayers(in: scratch)
        let result = try Calibrator().calibrate(weights: weights, activations: [activations])
        let layer = try #require(result["gauss"])
        let input = try #require(layer.activation)
        let weight = try #require(layer.weight)
        let bias = try #require(layer.bias)
        #expect(weight.granularity == .perChannel(axis: 0))
        #expect(weight.scales.count == 8)
        #expect(bias.quantized)
        #expect(bias.bits == 32)
        #expect(bias.zeroPoint == 0)
        #expect(bias.scales == weight.scales.map { input.scale * $0 })
        let metrics = try #require(bias.metrics)
        #expect(metrics.maxAbsoluteError <= Double(bias.scales.max() ?? 0) / 2 * 1.0001)
        #expect(bias.saturated == 0)

        // Weights only: the input scale is unknown, the bias stays in float.
        let weightsOnly = try Calibrator().calibrate(weights: weights, activations: [])
        let floatBias = try #require(weightsOnly["gauss"]?.bias)
        #expect(!floatBias.quantized)
        #expect(floatBias.reason.contains("input's scale is unknown"))
        #expect(weightsOnly["gauss"]?.weight != nil)
    }

    @Test func perGroupWeightsAndExcludedLayers() throws {
        let scratch = try ScratchDirectory("group")
        defer { scratch.remove() }
        let (weights, activations) = try Self.writeSyntheticLayers(in: scratch)
        let config = try CalibrationConfig.parse(
            """
            weights: {bits: 4, scheme: asymmetric, granularity: per-group, axis: 1, group-size: 4, narrow-range: false}
            overrides: [{match: relu, exclude: true}]
            """)
        let result = try Calibrator(config: config).calibrate(weights: weights, activations: [activations])
        let weight = try #require(result["gauss"]?.weight)
        #expect(weight.parameterShape == [8, 4])
        #expect(weight.scales.count == 32)
        #expect(weight.format == IntegerFormat.int4)
        #expect(weight.scheme.chosen == .asymmetric)
        #expect(weight.clippingFraction == 0)  // min-max ranges never clip
        #expect((weight.metrics.sqnrDecibels) > 15)
        #expect(result["gauss"]?.bias?.quantized == false)
        let relu = try #require(result["relu"])
        #expect(relu.excluded)
        #expect(relu.activation == nil)
    }

    @Test func nanPolicyErrorStopsWithTheDataset() throws {
        let scratch = try ScratchDirectory("nan")
        defer { scratch.remove() }
        let path = scratch.path("nan.h5")
        try writeHDF5(path, [("/x", [4, 2], [1, 2, .nan, 4, 5, .infinity, 7, 8])])
        let skip = try Calibrator().calibrate(weights: nil, activations: [path])
        let record = try #require(skip["x"]?.activation)
        #expect(record.counts.nan == 1)
        #expect(record.counts.positiveInfinity == 1)
        #expect(record.counts.finite == 6)
        #expect(record.observedMax == 8)

        let strict = try CalibrationConfig.parse("nan-policy: error")
        let error = try #require(throws: CalibrationError.self) {
            try Calibrator(config: strict).calibrate(weights: nil, activations: [path])
        }
        #expect(error.description.contains("/x"), "\(error)")
    }

    @Test func unknownObserverIsAConfigError() throws {
        let config = try CalibrationConfig.parse("weights: {observer: fancy}")
        let error = try #require(throws: CalibrationError.self) { try Calibrator(config: config) }
        guard case .config(let configError) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(configError.keyPath == "weights.observer.name")
    }

    @Test func invalidObserverOptionsAreAConfigError() throws {
        let config = try CalibrationConfig.parse(
            "activations: {observer: {name: percentile, options: {percentile: 120}}}")
        let error = try #require(throws: CalibrationError.self) { try Calibrator(config: config) }
        guard case .config(let configError) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(configError.keyPath == "activations.observer.options")
        #expect(configError.description.contains("(0, 100]"), "\(configError)")
    }
}

@Suite struct ObserverRegistryProviderTests {
    @Test func builtInNamesAreTheConfigVocabulary() {
        #expect(
            Set(ObserverRegistry.builtIn.observerNames).isSuperset(of: [
                "minmax", "moving-average-minmax", "histogram", "percentile", "mse", "entropy",
            ]))
    }

    @Test(arguments: ["granularity", "nonFinite"])
    func optionsCannotSetWhatTheCalibratorSets(key: String) throws {
        let config = try CalibrationConfig.parse("weights: {observer: {name: minmax, options: {\(key): x}}}")
        let error = try #require(throws: CalibrationError.self) { try Calibrator(config: config) }
        #expect(error.description.contains("set by the calibrator"), "\(error)")
        #expect(error.description.contains("weights.observer.options"), "\(error)")
    }

    @Test func unknownOptionNamesTheAllowedOnes() throws {
        let config = try CalibrationConfig.parse("activations: {observer: {name: percentile, options: {pct: 99}}}")
        let error = try #require(throws: CalibrationError.self) { try Calibrator(config: config) }
        #expect(error.description.contains("pct"), "\(error)")
        #expect(error.description.contains("percentile"), "\(error)")
    }
}

@Suite struct ProfileSchemeTests {
    @Test func tensorRTAutoIsSymmetricWithAReasonAndAsymmetricIsAnError() throws {
        let scratch = try ScratchDirectory("trt")
        defer { scratch.remove() }
        let (_, activations) = try CalibratorTests.writeSyntheticLayers(in: scratch)
        let auto = try CalibrationConfig.parse("activations: {scheme: auto, profile: tensorrt}")
        let result = try Calibrator(config: auto).calibrate(weights: nil, activations: [activations])
        let relu = try #require(result["relu"]?.activation)
        #expect(relu.scheme.chosen == .symmetric)
        #expect(relu.scheme.asymmetricError == nil)
        #expect(relu.scheme.reason.contains("no asymmetric mode"))

        let asymmetric = try CalibrationConfig.parse("activations: {scheme: asymmetric, profile: tensorrt}")
        let error = try #require(throws: CalibrationError.self) {
            try Calibrator(config: asymmetric).calibrate(weights: nil, activations: [activations])
        }
        guard case .quantization(let layer, _, _) = error else {
            Issue.record("expected a quantization error, got \(error)")
            return
        }
        #expect(layer == "gauss" || layer == "relu")
    }

    @Test func kerasKernelsUseTheLastAxisForChannels() throws {
        let scratch = try ScratchDirectory("keras")
        defer { scratch.remove() }
        let weights = scratch.path("keras.h5")
        let activations = scratch.path("acts.h5")
        // kernel [in 4, out 3], bias [3]
        try writeHDF5(
            weights,
            [
                (
                    "/model_weights/dense/dense/kernel:0", [4, 3],
                    [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 1.0, 1.1, -1.2]
                ),
                ("/model_weights/dense/dense/bias:0", [3], [0.01, 0.02, -0.03]),
            ])
        try writeHDF5(activations, [("/dense", [2, 4], [0, 1, 2, 3, 4, 5, 6, 7])])
        let config = try CalibrationConfig.parse("weights: {axis: -1}")
        let result = try Calibrator(config: config).calibrate(weights: weights, activations: [activations])
        let dense = try #require(result["dense"])
        #expect(dense.weight?.granularity == .perChannel(axis: 1))
        #expect(dense.weight?.scales.count == 3)
        #expect(dense.bias?.quantized == true)
        #expect(dense.bias?.scales.count == 3)
    }
}
