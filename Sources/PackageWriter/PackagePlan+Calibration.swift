public import Calibrator
import Foundation
import JSON
public import PackageFormat
import QuantCore

extension PackagePlan {
    /// The plan for a calibration result: every layer, each layer's effective settings, and each
    /// calibrated activation's record (excluded layers have none).
    ///
    /// Layers mostly share their settings: each distinct policy is encoded once (with its layer name
    /// blanked) and each layer's record is that value with its `layer` member set, its other members
    /// shared with the others' (copy on write), instead of a JSON encoding and decoding per layer.
    public init(_ result: CalibrationResult) {
        var activations: [String: ActivationRecord] = [:]
        var policies: [String: JSONValue] = [:]
        var encoded: [LayerPolicy: JSONValue?] = [:]
        for layer in result.layers {
            var shared = layer.policy
            shared.layer = ""
            let value = encoded[shared] ?? (try? JSONValue(encoding: shared))
            encoded[shared] = value
            if case .object(var object)? = value, object["layer"] != nil {
                object["layer"] = .string(layer.policy.layer)
                policies[layer.layer] = .object(object)
            } else {
                policies[layer.layer] = try? JSONValue(encoding: layer.policy)
            }
            if !layer.excluded, let activation = layer.activation {
                activations[layer.layer] = ActivationRecord(activation)
            }
        }
        self.init(layers: result.layers.map(\.layer), activations: activations, policies: policies)
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
            format: a.format.description, bits: a.format.bits, signed: a.format.isSigned,
            narrowRange: a.format.isNarrow,
            qmin: Int(a.format.qmin), qmax: Int(a.format.qmax), scheme: a.scheme.chosen.rawValue,
            schemeReason: a.scheme.reason, profile: a.profile.rawValue,
            rounding: TensorsFileWriter.name(of: a.rounding),
            scale: a.scale, zeroPoint: Int(a.zeroPoint))
    }
}
