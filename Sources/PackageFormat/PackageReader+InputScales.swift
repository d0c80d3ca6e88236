extension PackageReader {
    /// The per-input-feature scale s of a weight whose codes quantize W·diag(s) (AWQ,
    /// ``WeightRoundingMethod/inputScaleDataset``) with the stored axis it runs along, or nil for other tensors.
    ///
    /// - Throws: ``PackageError/inconsistentTensor(file:name:reason:)`` when the record names no valid input axis
    ///   of a matrix, or the dataset is missing or its shape is not `[d(input axis)]`.
    public func inputScales(of record: TensorRecord) throws(PackageError) -> (axis: Int, scales: [Float])? {
        guard let method = record.quantization?.method, let path = method.inputScaleDataset else { return nil }
        guard let axis = method.inputAxis, record.originalShape.count == 2, (0...1).contains(axis) else {
            throw inconsistent(
                record, "input_scale_dataset needs an input_axis 0 or 1 of a matrix (shape \(record.originalShape))")
        }
        let dataset = try open(path, expectedShape: [record.originalShape[axis]])
        do { return (axis, try dataset.read(as: Float.self)) } catch { throw .hdf5(error) }
    }

    /// `values` (the dequantized codes of W·diag(s), row-major in `shape`) divided by s along `axis`:
    /// Ŵ[o, i] = deq(q)[o, i] / s[i] (Float32 division).
    static func dividing(_ values: [Float], by scales: [Float], axis: Int, shape: [Int]) -> [Float] {
        let columns = shape[1]
        return values.indices.map { k in
            values[k] / scales[axis == 1 ? k % columns : k / columns]
        }
    }
}
