import HDF5
public import PackageFormat

extension TensorsFileWriter {
    /// Suffix of the dataset holding a weight's per-input-feature scale s (AWQ): `<dataset>.input_scale`.
    public static let inputScaleSuffix = ".input_scale"

    /// Stores s of a weight whose codes quantize W·diag(s) as the float32 dataset `<dataset>.input_scale`
    /// (shape `[input features]`, attributes `ptq_role: input_scale` and `tensor`), and returns its path for the
    /// method record (``WeightRoundingMethod/inputScaleDataset``).
    /// - Throws: ``PackageError`` for a path already used or a failed write.
    mutating func writeInputScales(_ scales: [Float], for dataset: String) throws(PackageError) -> String {
        let path = dataset + Self.inputScaleSuffix
        try claim([path])
        try writeDataset(path, scales, shape: [scales.count])
        do {
            let stored = try file.openDataset(path)
            try stored.setAttribute("ptq_role", .string("input_scale"))
            try stored.setAttribute("tensor", .string(dataset))
        } catch {
            throw .hdf5(error)
        }
        return path
    }
}
