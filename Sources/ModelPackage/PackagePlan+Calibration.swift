public import Calibrator
import Foundation
import QuantCore

extension PackagePlan {
    /// The plan for a calibration result: each calibrated weight as integer codes with its parameters,
    /// each quantized bias as int32, every other tensor of a layer (excluded layers, biases left in float)
    /// as float32 with the reason, and every calibrated activation's record.
    /// - Throws: ``PackageError/quantization(name:_:)`` if a weight's parameters are inconsistent.
    public init(_ result: CalibrationResult) throws(PackageError) {
        var tensors: [Tensor] = []
        var activations: [String: ActivationRecord] = [:]
        var policies: [String: ConfigValue] = [:]
        let hasWeights = result.inputs.weights != nil
        // Layers mostly share one policy: it is encoded once (without the layer's name, set per layer), and
        // the layers' records share its storage: 100 000 layers no longer hold 100 000 encoded copies.
        var encoded: [LayerPolicy: ConfigValue?] = [:]
        for layer in result.layers {
            var shared = layer.policy
            shared.layer = ""
            if encoded[shared] == nil { encoded[shared] = try? ConfigValue(encoding: shared) }
            if case .object(var fields)?? = encoded[shared] {
                fields["layer"] = .string(layer.layer)
                policies[layer.layer] = .object(fields)
            }
            if layer.excluded {
                guard hasWeights else { continue }
                for (dataset, role) in [(layer.datasets.weight, "weight"), (layer.datasets.bias, "bias")] {
                    if let dataset {
                        tensors.append(Tensor(layer: layer.layer, dataset: dataset, role: role, storage: .float32(note: "excluded by configuration")))
                    }
                }
                continue
            }
            if let weight = layer.weight {
                let parameters: QuantizationParameters
                do { parameters = try weight.parameters() } catch { throw .quantization(name: weight.dataset, error) }
                let reason = weight.scheme.requested == .auto ? weight.scheme.reason : nil
                tensors.append(
                    Tensor(
                        layer: layer.layer, dataset: weight.dataset, role: "weight",
                        storage: .affine(parameters, symmetry: weight.scheme.chosen, profile: weight.profile, schemeReason: reason)))
            }
            if let bias = layer.bias {
                let storage: Storage = bias.quantized ? .int32(scales: bias.scales, reason: bias.reason) : .float32(note: bias.reason)
                tensors.append(Tensor(layer: layer.layer, dataset: bias.dataset, role: "bias", storage: storage))
            }
            if let activation = layer.activation {
                activations[layer.layer] = ActivationRecord(activation)
            }
        }
        self.init(layers: result.layers.map(\.layer), tensors: tensors, activations: activations, policies: policies)
    }
}

extension ActivationRecord {
    /// The manifest record of a calibrated activation.
    public init(_ a: ActivationCalibration) {
        let finite = a.counts.finite > 0
        self.init(
            datasets: [a.dataset], observer: a.observer.name, observerOptions: a.observer.options,
            elementCount: Int(a.counts.total), nanCount: Int(a.counts.nan),
            infCount: Int(a.counts.positiveInfinity + a.counts.negativeInfinity),
            observedMin: finite ? a.observedMin : nil, observedMax: finite ? a.observedMax : nil,
            rangeMin: a.rangeMin, rangeMax: a.rangeMax, clippingFraction: a.clippingFraction,
            format: a.format.description, bits: a.format.bits, signed: a.format.isSigned, narrowRange: a.format.isNarrow,
            qmin: Int(a.format.qmin), qmax: Int(a.format.qmax), scheme: a.scheme.chosen.rawValue,
            schemeReason: a.scheme.reason, profile: a.profile.rawValue, rounding: TensorsFileWriter.name(of: a.rounding),
            scale: a.scale, zeroPoint: Int(a.zeroPoint))
    }
}

extension ConfigValue {
    /// The JSON value of `value`'s `Codable` encoding (objects keep every key; encoded with sorted keys).
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self = try JSONDecoder().decode(ConfigValue.self, from: encoder.encode(value))
    }
}
