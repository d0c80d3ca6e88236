public import QuantCore

/// The error figures a report prints for one quantized tensor, taken from QuantCore's ``ErrorMetrics``
/// (over the elements where the original and the reconstruction are finite).
public struct TensorErrorMetrics: Codable, Sendable, Hashable {
    /// Signal-to-quantization-noise ratio in dB, `10·log10(Σx² / Σ(x − x̂)²)`; `nil` when it is not
    /// finite (no error at all, or an all-zero signal).
    public var sqnr: Double?
    /// Mean squared error `Σ(x − x̂)² / n`.
    public var mse: Double
    /// Largest absolute error `max |x − x̂|`.
    public var maxAbsError: Double
    /// Cosine similarity of x and x̂.
    public var cosineSimilarity: Double
    /// Elements compared (`n`).
    public var count: Int

    /// The figures of `metrics`.
    public init(_ metrics: ErrorMetrics) {
        sqnr = metrics.sqnrDecibels.isFinite ? metrics.sqnrDecibels : nil
        mse = metrics.meanSquaredError
        maxAbsError = metrics.maxAbsoluteError
        cosineSimilarity = metrics.cosineSimilarity
        count = metrics.count
    }
}
