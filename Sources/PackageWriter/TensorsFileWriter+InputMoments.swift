import PackageFormat

extension TensorsFileWriter {
    /// Writes the per-feature Σx and Σx² of `layer`'s input as float64 datasets at
    /// ``InputMomentsRecord/datasetPaths(layer:)`` and returns the manifest record naming them.
    /// - Throws: ``PackageError`` (a path already used, a write failure).
    mutating func writeInputMoments(_ moments: StoredInputMoments, layer: String) throws(PackageError)
        -> InputMomentsRecord
    {
        let (sumPath, squaresPath) = InputMomentsRecord.datasetPaths(layer: layer)
        try claim([sumPath, squaresPath])
        let features = moments.sum.count
        try writeDataset(sumPath, moments.sum, shape: [features])
        try writeDataset(squaresPath, moments.sumOfSquares, shape: [features])
        return InputMomentsRecord(
            features: features, count: moments.count, axis: moments.axis, sumDataset: sumPath,
            sumOfSquaresDataset: squaresPath)
    }
}
