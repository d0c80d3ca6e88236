import HDF5
import PackageFormat

/// One linear layer's weight as the evaluation multiplies it, `[out, in]` row-major (`y = x · Wᵀ`): the
/// float original from the weights file, the package's dequantized tensor and their difference.
///
/// The dequantized tensor is ``PackageReader/dequantized(_:)``, the values `ptq dequantize` writes (so any
/// scale vector a method records joins the evaluation through that one path). Keras kernels (`[in, out]`,
/// the package's `layout` `keras`/`keras-legacy`) are transposed; PyTorch and generic weights are `[out, in]`.
struct LinearWeight {
    /// Outputs (rows of ``original``).
    let outputs: Int
    /// Inputs per output.
    let inputs: Int
    /// The float weight `W`, `[out, in]`.
    let original: [Float]
    /// The package's weight `Ŵ`, `[out, in]`.
    let restored: [Float]
    /// `W − Ŵ`, `[out, in]` (formed once in Float32, so the output error `x · (W − Ŵ)ᵀ` is not a difference
    /// of two nearly equal products).
    let difference: [Float]

    /// Whether `record` (the weight of a layer) is a linear weight, or why not.
    /// - Returns: the axis of its inputs (1 for `[out, in]`, 0 for a Keras `[in, out]` kernel), or the reason
    ///   it is skipped.
    static func inputAxis(of record: TensorRecord, layer: LayerRecord, layout: String?) -> Result<Int, Skip> {
        if record.layoutRole == "embedding" {
            return .failure(Skip("embedding table, not a linear layer"))
        }
        if let bad = [record.nanCount, record.infCount].compactMap({ $0 }).first(where: { $0 > 0 }) {
            return .failure(Skip("weight has \(bad) NaN/Inf elements: its output SQNR is undefined"))
        }
        guard record.originalShape.count == 2 else {
            return .failure(Skip("not a linear layer (weight \(record.originalShape))"))
        }
        let keras = layout == "keras" || layout == "keras-legacy"
        if keras, let layerClass = layer.layerClass, layerClass != "Dense" {
            return .failure(Skip("not a linear layer (\(layerClass))"))
        }
        return .success(keras ? 0 : 1)
    }

    /// Reads the weight of `record` from `weights` (the float original, at the record's dataset path) and
    /// from `package`, oriented `[out, in]` with inputs along `inputAxis` of the stored shape.
    /// - Throws: ``EvaluationError`` when the weights file lacks the dataset or its shape differs.
    init(
        _ record: TensorRecord, inputAxis: Int, weights: borrowing File, weightsPath: String,
        package: borrowing PackageReader
    ) throws(EvaluationError) {
        let shape = record.originalShape
        let values: [Float]
        do {
            let dataset = try weights.openDataset(record.dataset)
            guard dataset.shape == shape else {
                throw EvaluationError.unusable(
                    file: weightsPath, dataset: record.dataset,
                    reason: "shape \(dataset.shape), the package's tensor is \(shape): not the weights it was made from"
                )
            }
            values = try dataset.read(as: Float.self)
        } catch let error as EvaluationError {
            throw error
        } catch let error as HDF5Error {
            throw .hdf5(error)
        } catch {
            throw .unusable(file: weightsPath, dataset: record.dataset, reason: "\(error)")
        }
        let dequantized: [Float]
        do { dequantized = try package.dequantized(record) } catch { throw .package(error) }
        let (rows, columns) = (shape[0], shape[1])
        if inputAxis == 1 {
            (outputs, inputs, original, restored) = (rows, columns, values, dequantized)
        } else {
            (outputs, inputs) = (columns, rows)
            original = Self.transposed(values, rows: rows, columns: columns)
            restored = Self.transposed(dequantized, rows: rows, columns: columns)
        }
        difference = zip(original, restored).map { $0 - $1 }
    }

    /// `[rows, columns]` row-major → `[columns, rows]` row-major.
    static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var result = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { result[c * rows + r] = values[r * columns + c] }
        }
        return result
    }

    /// Why a layer is not evaluated.
    struct Skip: Error {
        /// The reason, as the table and the JSON show it.
        var reason: String

        init(_ reason: String) { self.reason = reason }
    }
}
