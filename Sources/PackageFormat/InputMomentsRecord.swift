/// The per-feature moments of a layer's input kept in a package (manifest key `input_moments` of an
/// activation record): Σx and Σx² per input feature over `count` feature vectors, as float64 datasets of
/// `tensors.h5` of shape `[features]`. What `ptq export --format gguf-imatrix` writes as llama.cpp's
/// `in_sum` / `in_sum2` / `counts`. The sums are PTQKit's reproducible ones (`docs/package-format.md`).
public struct InputMomentsRecord: Codable, Sendable, Hashable {
    /// Input features d (≥ 1).
    public var features: Int
    /// Feature vectors summed over N (≥ 0): rows × the positions of each row.
    public var count: Int
    /// The feature axis of the activation dataset (`[rows, …]`, so ≥ 1; 0 for datasets of scalar rows).
    public var axis: Int
    /// Σx per feature: a float64 dataset of shape `[features]`.
    public var sumDataset: String
    /// Σx² per feature: a float64 dataset of shape `[features]`, every value ≥ 0.
    public var sumOfSquaresDataset: String

    /// Creates a record.
    public init(features: Int, count: Int, axis: Int, sumDataset: String, sumOfSquaresDataset: String) {
        self.features = features
        self.count = count
        self.axis = axis
        self.sumDataset = sumDataset
        self.sumOfSquaresDataset = sumOfSquaresDataset
    }

    /// The datasets of `tensors.h5` the record names.
    public var datasets: [String] { [sumDataset, sumOfSquaresDataset] }

    /// Where the moments of `layer` are stored: `/input_moments/<layer>/sum` and `…/sum_of_squares` (a `/`
    /// in the layer name written `%2F`, `%` as `%25`).
    public static func datasetPaths(layer: String) -> (sum: String, sumOfSquares: String) {
        let escaped = layer.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
        return ("/input_moments/\(escaped)/sum", "/input_moments/\(escaped)/sum_of_squares")
    }

    enum CodingKeys: String, CodingKey {
        case features, count, axis
        case sumDataset = "sum_dataset"
        case sumOfSquaresDataset = "sum_of_squares_dataset"
    }
}
