import Foundation
import HDF5
import PackageFormat
import TensorIO

/// `ptq evaluate`: each linear layer's output SQNR on held-out inputs, weights only and with the package's
/// activation fake-quant (see ``LayerEvaluation``), streamed in batches of rows (memory: one layer's weight
/// four times over in Float32, plus two batches of rows).
///
/// A layer is measured when its weight is 2-D (`[out, in]`, or a Keras Dense kernel `[in, out]` by the
/// package's `layout`) and the held-out file has its input: the dataset its activation record names
/// (`datasets`, the calibration file's path), else `/<layer>/input` or `/<layer>` (the built-in activation
/// naming of `ptq calibrate`). The float weights come from the weights file the package records (or
/// `weights`), the quantized ones from ``PackageReader/dequantized(_:)``, the values `ptq dequantize` writes.
public enum PackageEvaluator {
    /// How to run.
    public struct Options: Sendable {
        /// The float weights file; `nil`: the package's recorded weights input (its path as given then).
        public var weights: String?
        /// Bytes of Float32 per streamed batch of held-out rows (at least one row).
        public var batchBytes: Int

        /// Options; see the properties.
        public init(weights: String? = nil, batchBytes: Int = 8 << 20) {
            self.weights = weights
            self.batchBytes = batchBytes
        }
    }

    /// Measures the package at `package` on the held-out activations file `activations`.
    /// - Throws: ``EvaluationError``: the package unreadable, the weights or held-out file missing or
    ///   damaged, a held-out dataset that does not fit its layer, or no layer to measure.
    public static func evaluate(
        package: String, activations: String, options: Options = Options()
    ) throws(EvaluationError) -> PackageEvaluationReport {
        let reader: PackageReader
        do { reader = try PackageReader(path: package) } catch { throw .package(error) }
        let manifest = reader.manifest
        let recorded = manifest.inputs.first { $0.role == .weights }
        guard let weightsPath = options.weights ?? recorded?.path else {
            throw .missingWeights(package: package, path: nil)
        }
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw .missingWeights(package: package, path: weightsPath)
        }
        if options.weights == nil, let recorded,
            let size = (try? FileManager.default.attributesOfItem(atPath: weightsPath))?[.size] as? Int,
            size != recorded.size
        {
            throw .unusable(
                file: weightsPath, dataset: "/",
                reason: "\(size) bytes, the package was calibrated from a file of \(recorded.size) bytes "
                    + "(give the original with --weights)")
        }
        let weights = try open(weightsPath)
        let heldout = try open(activations)
        var layers: [LayerEvaluation] = []
        for layer in manifest.layers {
            guard let record = layer.tensors.first(where: { $0.role == "weight" }) else {
                layers.append(LayerEvaluation(layer: layer.name, weight: nil, skipped: "no weight tensor"))
                continue
            }
            let axis: Int
            switch LinearWeight.inputAxis(of: record, layer: layer, layout: manifest.layout?.name) {
            case .success(let found): axis = found
            case .failure(let skip):
                layers.append(LayerEvaluation(layer: layer.name, weight: record.dataset, skipped: skip.reason))
                continue
            }
            let candidates = (layer.activation?.datasets ?? []) + ["/\(layer.name)/input", "/\(layer.name)"]
            var dataset: String?
            for candidate in candidates where dataset == nil {
                let path = candidate.hasPrefix("/") ? candidate : "/" + candidate
                do {
                    if try heldout.contains(path), try heldout.openDataset(path).shape.count >= 2 { dataset = path }
                } catch {
                    if case .wrongObjectType = error.kind { continue }  // a group of that name
                    throw .hdf5(error)
                }
            }
            guard let dataset else {
                layers.append(
                    LayerEvaluation(
                        layer: layer.name, weight: record.dataset,
                        skipped: "no input dataset in \(activations) (looked for \(candidates.joined(separator: ", ")))"
                    ))
                continue
            }
            let weight = try LinearWeight(
                record, inputAxis: axis, weights: weights, weightsPath: weightsPath, package: reader)
            layers.append(
                try measure(
                    layer: layer, record: record, weight: weight, file: activations, dataset: dataset,
                    batchBytes: options.batchBytes))
        }
        guard layers.contains(where: { $0.skipped == nil }) else {
            let reasons = Set(layers.compactMap(\.skipped)).sorted().prefix(3).joined(separator: "; ")
            throw .noLayers(package: package, activations: activations, reason: reasons.isEmpty ? "no layers" : reasons)
        }
        return PackageEvaluationReport(
            package: package, activations: activations, weights: weightsPath, layout: manifest.layout?.name,
            layers: layers)
    }

    /// Opens the HDF5 file at `path` for reading.
    static func open(_ path: String) throws(EvaluationError) -> File {
        do { return try File(path) } catch { throw .hdf5(error) }
    }

    /// Streams `dataset` of `file` through `weight` and the layer's activation fake-quant.
    static func measure(
        layer: LayerRecord, record: TensorRecord, weight: LinearWeight, file: String, dataset: String, batchBytes: Int
    ) throws(EvaluationError) -> LayerEvaluation {
        let source: TensorSource
        do { source = try TensorSource(file: file, dataset: dataset, batch: .bytes(batchBytes)) } catch {
            throw .read(error)
        }
        let width = source.rowElementCount
        guard source.rowShape.last == weight.inputs, width > 0 else {
            throw .unusable(
                file: file, dataset: dataset,
                reason: "rows of shape \(source.rowShape) are not inputs of layer \(layer.name) "
                    + "(weight \(record.dataset) takes \(weight.inputs) features along its last axis)")
        }
        let quantizer = try layer.activation.map { (activation) throws(EvaluationError) in
            try ActivationFakeQuantizer(activation, rowShape: source.rowShape, file: file, dataset: dataset)
        }
        var sums = OutputError()
        var kept = 0
        var dropped = 0
        let capacity = source.bufferCapacity
        let x = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
        let dx = UnsafeMutableBufferPointer<Float>.allocate(capacity: quantizer == nil ? 0 : capacity)
        defer {
            x.deallocate()
            dx.deallocate()
        }
        do {
            try source.forEachBatch { batch in
                var count = 0
                for r in 0..<batch.rowCount {
                    let row = UnsafeBufferPointer(rebasing: batch.values[(r * width)..<((r + 1) * width)])
                    guard row.allSatisfy(\.isFinite) else {
                        dropped += 1
                        continue
                    }
                    let target = UnsafeMutableBufferPointer(rebasing: x[(count * width)..<((count + 1) * width)])
                    _ = target.initialize(from: row)
                    quantizer?.error(
                        of: row, into: UnsafeMutableBufferPointer(rebasing: dx[(count * width)..<((count + 1) * width)])
                    )
                    count += 1
                }
                kept += count
                sums.accumulate(
                    x: UnsafeBufferPointer(rebasing: x[0..<(count * width)]),
                    dx: quantizer == nil ? nil : UnsafeBufferPointer(rebasing: dx[0..<(count * width)]),
                    count: count * width / weight.inputs, weight: weight)
            }
        } catch let error as TensorIOError {
            throw .read(error)
        } catch {
            throw .unusable(file: file, dataset: dataset, reason: "\(error)")
        }
        var result = LayerEvaluation(layer: layer.name, weight: record.dataset, dataset: dataset)
        result.rows = kept
        result.vectors = sums.vectors
        result.nonFiniteRows = dropped
        result.weightFormat = Self.format(of: record)
        result.activationFormat = quantizer?.summary
        result.signalEnergy = sums.signal
        result.weightsOnlyError = sums.weightsOnly
        result.weightsOnlySQNR = OutputError.sqnr(signal: sums.signal, error: sums.weightsOnly)
        if quantizer != nil {
            result.withActivationsError = sums.withActivations
            result.withActivationsSQNR = OutputError.sqnr(signal: sums.signal, error: sums.withActivations)
        }
        return result
    }

    /// `int8 per-channel`, `uint4 per-group (32)`, `fp8_e4m3fn per-tensor`, `float32`.
    static func format(of record: TensorRecord) -> String {
        guard let q = record.quantization else { return "float32" }
        return "\(q.format) \(q.granularity)" + (q.groupSize.map { " (\($0))" } ?? "")
    }
}
