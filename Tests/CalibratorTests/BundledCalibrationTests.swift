import Foundation
import QuantCore
import Testing

@testable import Calibrator

/// End to end on the bundled network (`Calibration/`), against numpy goldens
/// (`Tests/Fixtures/make_calibration_goldens.py`).
@Suite struct BundledCalibrationTests {
    // The field names are the golden file's JSON keys (snake_case), decoded as they are.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct Golden: Decodable {
        struct Layer: Decodable {
            struct Activation: Decodable {
                var min: Float, max: Float, scale: Float
                var zero_point: Int32
            }
            struct Weight: Decodable {
                var shape: [Int]
                var scales: [Float]
                var mse: Double
                var max_abs_error: Double
            }
            struct Bias: Decodable { var scales: [Float] }
            var activation: Activation
            var weight: Weight
            var bias: Bias
        }
        var layers: [String: Layer]
    }

    static func calibrate(_ config: String, batch: Int? = nil) throws -> CalibrationResult {
        var calibrator = try Calibrator(config: .load(contentsOf: Bundled.config(config)))
        if let batch { calibrator.batchSize = .rows(batch) }
        return try calibrator.calibrate(weights: Bundled.weights, activations: [Bundled.activations])
    }

    static func close(_ a: Float, _ b: Float, ulps: Float = 2) -> Bool {
        abs(a - b) <= ulps * max(abs(a), abs(b)).ulp
    }

    @Test func int8MatchesTheNumpyReference() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Bundled.fixture("w8a8_minmax.json")))
        let result = try Self.calibrate("int8.yaml")
        #expect(result.layers.map(\.layer) == ["fc1", "fc2", "fc3"])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        for (name, reference) in golden.layers {
            let layer = try #require(result[name])
            let activation = try #require(layer.activation)
            #expect(activation.observedMin == reference.activation.min)
            #expect(activation.observedMax == reference.activation.max)
            #expect(Self.close(activation.scale, reference.activation.scale), "\(name): \(activation.scale)")
            #expect(activation.zeroPoint == reference.activation.zero_point)
            #expect(activation.scheme.chosen == .asymmetric)
            #expect(activation.clippingFraction == 0)
            #expect(activation.counts.finite == UInt64(activation.rows * 64 * (name == "fc2" ? 2 : 1)))

            let weight = try #require(layer.weight)
            #expect(weight.shape == reference.weight.shape)
            #expect(weight.elementType == "float32")
            #expect(weight.scales.count == reference.weight.scales.count)
            for (s, r) in zip(weight.scales, reference.weight.scales) {
                #expect(Self.close(s, r), "\(name): \(s) vs \(r)")
            }
            #expect(weight.zeroPoints.allSatisfy { $0 == 0 })
            #expect(abs(weight.metrics.meanSquaredError - reference.weight.mse) <= 1e-3 * reference.weight.mse)
            #expect(
                abs(weight.metrics.maxAbsoluteError - reference.weight.max_abs_error) <= 1e-3
                    * reference.weight.max_abs_error)
            #expect((weight.metrics.sqnrDecibels) > 35)

            let bias = try #require(layer.bias)
            #expect(bias.quantized)
            for (s, r) in zip(bias.scales, reference.bias.scales) { #expect(Self.close(s, r)) }
        }
    }

    @Test func calibrationIsDeterministicAndIndependentOfTheBatchSplit() throws {
        for config in ["int8.yaml", "w8a8-per-channel.yaml"] {
            let first = try Self.calibrate(config)
            let second = try Self.calibrate(config)
            let split = try Self.calibrate(config, batch: 7)
            #expect(first == second)
            #expect(try first.encodedJSON() == second.encodedJSON())
            #expect(first.layers == split.layers, "\(config): batches of 7 rows changed the result")
        }
    }

    @Test func perGroupWeightOnly() throws {
        let config = try CalibrationConfig.load(contentsOf: Bundled.config("w4-per-group.yaml"))
        let result = try Calibrator(config: config).calibrate(weights: Bundled.weights, activations: [])
        let fc1 = try #require(result["fc1"]?.weight)
        #expect(fc1.format == IntegerFormat.int4)
        #expect(fc1.parameterShape == [128, 2])
        #expect(fc1.scheme.chosen == .asymmetric)
        #expect(result["fc1"]?.activation == nil)
        #expect(result["fc1"]?.bias?.quantized == false)
    }
}
