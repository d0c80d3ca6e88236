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
        var moments: [String: StoredInputMoments] = [:]
        for layer in result.layers {
            var shared = layer.policy
            shared.layer = ""
            let value = encoded[shared] ?? shared.manifestRecord
            encoded[shared] = value
            if case .object(var object)? = value, object["layer"] != nil {
                object["layer"] = .string(layer.policy.layer)
                policies[layer.layer] = .object(object)
            } else {
                policies[layer.layer] = layer.policy.manifestRecord
            }
            if !layer.excluded, let activation = layer.activation {
                activations[layer.layer] = ActivationRecord(activation)
                if let m = activation.inputMoments {
                    // The feature axis as the calibrator chose it: the per-channel axis, else the last.
                    let axis = activation.channels?.axis ?? activation.rowShape.count
                    moments[layer.layer] = StoredInputMoments(
                        axis: axis, count: m.rows, sum: m.sum, sumOfSquares: m.sumOfSquares)
                }
            }
        }
        self.init(layers: result.layers.map(\.layer), activations: activations, policies: policies)
        inputMoments = moments
        if let layout = result.layout {
            self.layout = LayoutRecord(name: layout.layout.rawValue, reason: layout.reason)
            layerClasses = layout.layerClasses
        }
    }
}

extension ActivationRecord {
    /// The manifest record of a calibrated activation (per channel: the channels' lists instead of
    /// `scale`/`zero_point`).
    public init(_ a: ActivationCalibration) {
        let finite = a.counts.finite > 0
        // A minifloat activation: its codes, 0…2^bits − 1 like a minifloat tensor's, carry a sign; no zero point.
        let element = a.numberFormat?.elementFormat
        let codes = element.map { (name: a.numberFormat?.rawValue ?? "", bits: $0.bitWidth, qmax: $0.codeCount - 1) }
        self.init(
            datasets: [a.dataset], observer: a.observer.name, observerOptions: a.observer.options,
            elementCount: Int(a.counts.total), nanCount: Int(a.counts.nan),
            infCount: Int(a.counts.positiveInfinity + a.counts.negativeInfinity),
            observedMin: finite ? a.observedMin : nil, observedMax: finite ? a.observedMax : nil,
            rangeMin: a.rangeMin, rangeMax: a.rangeMax, clippingFraction: a.clippingFraction,
            format: codes?.name ?? a.format.description, bits: codes?.bits ?? a.format.bits,
            signed: codes == nil ? a.format.isSigned : true, narrowRange: codes == nil && a.format.isNarrow,
            qmin: codes == nil ? Int(a.format.qmin) : 0, qmax: codes?.qmax ?? Int(a.format.qmax),
            scheme: a.scheme.chosen.rawValue,
            schemeReason: a.scheme.reason, profile: a.profile.rawValue,
            rounding: TensorsFileWriter.name(of: a.rounding),
            scale: a.channels == nil ? a.scale : nil, zeroPoint: a.channels == nil ? Int(a.zeroPoint) : nil)
        if let c = a.channels {
            granularity = "per-channel"
            axis = c.axis
            zeroPointSharing = c.zeroPoint.rawValue
            channelRangeMin = c.rangeMin
            channelRangeMax = c.rangeMax
            scales = c.scales
            zeroPoints = c.zeroPoints.map(Int.init)
        }
        (symmetricError, asymmetricError) = a.scheme.recordedErrors
        smoothing = a.smoothing.map {
            ActivationSmoothingRecord(
                method: $0.method.rawValue, alpha: $0.alpha, alphaGrid: $0.alphaGrid,
                inputScaleDataset: $0.weightDataset + TensorsFileWriter.inputScaleSuffix, rangeMin: $0.rangeMin,
                rangeMax: $0.rangeMax, scale: $0.scale, zeroPoint: Int($0.zeroPoint))
        }
        histogram = a.histogram.map {
            ActivationHistogramRecord(lowerEdge: $0.lowerEdge, binWidth: $0.binWidth, counts: $0.counts.map(Int.init))
        }
    }
}
