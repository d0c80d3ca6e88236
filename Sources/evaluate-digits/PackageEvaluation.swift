import Foundation
import PTQKit

/// The figures `Calibration/evaluate_package.py` prints, computed in Swift: held-out accuracy of the float
/// network and of the package's (dequantized weights, fake-quantized activations), and how often they agree.
struct PackageEvaluation {
    /// Held-out rows.
    var samples: Int
    /// Share of rows the float network classifies correctly, 0…1.
    var floatAccuracy: Double
    /// Share of rows the quantized network classifies correctly, 0…1.
    var packageAccuracy: Double
    /// Share of rows where both predict the same class, 0…1.
    var predictionAgreement: Double
    /// Dataset paths of the tensors the package stores quantized, sorted.
    var quantizedWeights: [String]
    /// Layers whose input is fake-quantized, sorted.
    var quantizedActivations: [String]

    /// Evaluates `package` on `heldout` against the float `weights`.
    init(package path: String, weights: String, heldout: String) throws {
        let package = try PackageReader(path: path)
        let records = Dictionary(package.manifest.tensors.map { ($0.dataset, $0) }) { first, _ in first }
        let quantized = try DigitsNetwork { dataset in
            guard let record = records[dataset] else { throw EvaluationError("\(path): no tensor \(dataset)") }
            return (try package.dequantized(record), record.originalShape)
        }
        let floatFile = try File(weights)
        let float = try DigitsNetwork { dataset in
            let set = try floatFile.openDataset(dataset)
            return (try set.read(as: Float.self), set.shape)
        }
        let heldoutFile = try File(heldout)
        let xSet = try heldoutFile.openDataset("/x")
        let x = try xSet.read(as: Float.self)
        let y = try heldoutFile.openDataset("/y").read(as: Int64.self)
        guard xSet.shape.count == 2, xSet.shape[0] == y.count, xSet.shape[1] == float.layers.first?.inputs else {
            throw EvaluationError("\(heldout): /x \(xSet.shape) and /y [\(y.count)] do not fit the network")
        }
        var activations: [String: ActivationQuantizer] = [:]
        for layer in package.manifest.layers {
            if let record = layer.activation {
                activations[layer.name] = try ActivationQuantizer(record, layer: layer.name)
            }
        }
        let floatPredictions = float.predict(x, rows: y.count)
        let packagePredictions = quantized.predict(x, rows: y.count, activations: activations)
        let share = { (hits: Int) in y.isEmpty ? 0 : Double(hits) / Double(y.count) }
        samples = y.count
        floatAccuracy = share(zip(floatPredictions, y).filter { Int64($0) == $1 }.count)
        packageAccuracy = share(zip(packagePredictions, y).filter { Int64($0) == $1 }.count)
        predictionAgreement = share(zip(floatPredictions, packagePredictions).filter { $0 == $1 }.count)
        quantizedWeights = package.manifest.tensors.filter { $0.encoding != .float32 }.map(\.dataset).sorted()
        quantizedActivations = activations.keys.sorted()
    }

    /// The figures under `evaluate_package.py --json`'s keys (sorted as it sorts them).
    var json: JSONValue {
        .object([
            ("difference_points", .double((packageAccuracy - floatAccuracy) * 100)),
            ("float_accuracy", .double(floatAccuracy)), ("heldout_samples", .int(samples)),
            ("package_accuracy", .double(packageAccuracy)), ("prediction_agreement", .double(predictionAgreement)),
            ("quantized_activations", .array(quantizedActivations.map { .string($0) })),
            ("quantized_weights", .array(quantizedWeights.map { .string($0) })),
        ])
    }

    /// The figures as `evaluate_package.py` prints them.
    var text: String {
        let percent = { (x: Double) in String(format: "%.2f", x * 100) }
        let points = String(format: "%+.2f", (packageAccuracy - floatAccuracy) * 100)
        let activations = quantizedActivations.isEmpty ? "float" : quantizedActivations.joined(separator: ", ")
        return """
            held-out samples:      \(samples)
            float32 accuracy:      \(percent(floatAccuracy)) %
            package accuracy:      \(percent(packageAccuracy)) %  (\(points) points; weights \(quantizedWeights.count) \
            quantized tensors, activations \(activations))
            same prediction:       \(percent(predictionAgreement)) % of samples
            """
    }
}
