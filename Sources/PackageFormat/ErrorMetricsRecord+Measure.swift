public import QuantCore

extension ErrorMetricsRecord {
    /// The manifest form of QuantCore's ``ErrorMetrics`` (MSE, max-abs error, SQNR over the finite
    /// pairs). SQNR is absent when it is not finite (no error, or a zero signal).
    public init(_ metrics: ErrorMetrics) {
        let sqnr = metrics.sqnrDecibels
        self.init(
            sqnrDecibels: sqnr.isFinite ? sqnr : nil, mse: metrics.meanSquaredError,
            maxAbsError: metrics.maxAbsoluteError)
    }
}
