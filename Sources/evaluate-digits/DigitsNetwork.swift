import PTQKit

/// The bundled digits network (`Calibration/README.md`): `Linear(64,128)-ReLU-Linear(128,64)-ReLU-Linear(64,10)`,
/// layers `fc1`, `fc2`, `fc3` with PyTorch-convention weights (`y = x · Wᵀ + b`, `W` is `[out, in]`).
///
/// The Swift twin of `Calibration/digits_mlp.py` (`forward`, `predict`): each product is summed in Double
/// and rounded to Float32 once (numpy sums in float32; the two agree to a few ulps), and a layer listed in
/// the activation parameters gets its input fake-quantized first.
struct DigitsNetwork {
    /// One linear layer.
    struct Layer {
        /// `fc1`, `fc2`, `fc3`.
        var name: String
        /// `[out, in]`, row-major.
        var weight: [Float]
        /// `[out]`.
        var bias: [Float]
        /// Inputs per row.
        var inputs: Int
        /// Outputs per row.
        var outputs: Int
    }

    /// The layer names in forward order; ReLU follows every layer but the last.
    static let layerNames = ["fc1", "fc2", "fc3"]

    /// The layers in forward order.
    var layers: [Layer]

    /// The network from `tensor(path)`, which returns the values and shape of `/fcN/weight` and `/fcN/bias`.
    init(tensor: (String) throws -> (values: [Float], shape: [Int])) throws {
        layers = try Self.layerNames.map { name in
            let weight = try tensor("/\(name)/weight")
            let bias = try tensor("/\(name)/bias")
            guard weight.shape.count == 2, bias.shape == [weight.shape[0]] else {
                throw EvaluationError("/\(name): weight \(weight.shape) and bias \(bias.shape) are not a linear layer")
            }
            return Layer(
                name: name, weight: weight.values, bias: bias.values, inputs: weight.shape[1], outputs: weight.shape[0])
        }
        for (previous, next) in zip(layers, layers.dropFirst()) where previous.outputs != next.inputs {
            throw EvaluationError(
                "/\(previous.name) gives \(previous.outputs) values, /\(next.name) takes \(next.inputs)")
        }
    }

    /// The predicted class (argmax of the logits, the first on ties) of each row of `x` (`[rows, 64]`).
    func predict(_ x: [Float], rows: Int, activations: [String: ActivationQuantizer] = [:]) -> [Int] {
        var h = x
        for (index, layer) in layers.enumerated() {
            if let quantizer = activations[layer.name] { h = h.map(quantizer.fakeQuantize) }
            var y = [Float](repeating: 0, count: rows * layer.outputs)
            for r in 0..<rows {
                let input = r * layer.inputs
                for o in 0..<layer.outputs {
                    let w = o * layer.inputs
                    var sum = 0.0
                    for i in 0..<layer.inputs { sum += Double(h[input + i]) * Double(layer.weight[w + i]) }
                    let value = Float(sum) + layer.bias[o]
                    y[r * layer.outputs + o] = index < layers.count - 1 ? max(value, 0) : value
                }
            }
            h = y
        }
        let classes = layers.last?.outputs ?? 0
        return (0..<rows).map { r in
            let logits = h[(r * classes)..<((r + 1) * classes)]
            return (logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0)
                - r * classes
        }
    }
}

/// Fake quantization of a layer's input with a package's activation parameters:
/// `x' = s · (clip(round_half_even(x / s) + z, qmin, qmax) − z)`, in Double like `digits_mlp.py`.
struct ActivationQuantizer {
    /// The scale as `digits_mlp.py` reads it from `manifest.json`: the decimal the manifest prints, as a
    /// Double.
    var scale: Double
    /// Zero point.
    var zeroPoint: Double
    /// Smallest code.
    var qmin: Double
    /// Largest code.
    var qmax: Double

    /// The quantizer of a manifest's activation record of layer `layer`.
    /// - Throws: ``EvaluationError`` for what this evaluation does not simulate: minifloat activations (a
    ///   float grid) and per-channel records (no single scale), as `evaluate_package.py` refuses them.
    init(_ record: ActivationRecord, layer: String) throws(EvaluationError) {
        guard record.hasIntegerCodes else {
            throw EvaluationError(
                "\(layer): activation format \(record.format): integer activations only are simulated "
                    + "(calibrate weights-only to evaluate a weight format)")
        }
        guard let recordedScale = record.scale, let recordedZeroPoint = record.zeroPoint else {
            throw EvaluationError(
                "\(layer): the activation is quantized per channel; one scale per layer input is simulated")
        }
        scale = Double("\(recordedScale)") ?? Double(recordedScale)
        zeroPoint = Double(recordedZeroPoint)
        qmin = Double(record.qmin)
        qmax = Double(record.qmax)
    }

    /// `x` quantized and dequantized.
    func fakeQuantize(_ x: Float) -> Float {
        let q = min(max((Double(x) / scale).rounded(.toNearestOrEven) + zeroPoint, qmin), qmax)
        return Float((q - zeroPoint) * scale)
    }
}

/// A failure of the evaluation, with the one-line message to print.
struct EvaluationError: Error, CustomStringConvertible {
    /// The message.
    var description: String

    init(_ description: String) { self.description = description }
}
