extension ObserverRegistry {
    /// The built-in observers, each with one options type (its defaults written there once):
    ///
    /// | name | observer | options type: keys (defaults) |
    /// |---|---|---|
    /// | `minmax` | `MinMaxObserver` | `MinMaxObserver.Options`: `granularity` (per tensor), `nonFinite` (`skip`) |
    /// | `moving-average-minmax` | `MovingAverageMinMaxObserver` | its `Options`: `averagingConstant` (0.01), |
    /// |  |  | `granularity`, `nonFinite` |
    /// | `histogram` | `HistogramObserver` | `MinMaxRange`: none |
    /// | `percentile` | `HistogramObserver` | `PercentileRange`: `percentile` (99.99), `tails` (`scheme`, |
    /// |  |  | `absolute`, `each`), `convention` (`interpolated`, `lower-edge`) |
    /// | `mse` | `HistogramObserver` | `MSERange`: none |
    /// | `entropy` | `HistogramObserver` | `EntropyRange`: `algorithm` (`tensorrt`, `onnxruntime`), `startBin` (128) |
    ///
    /// The four histogram entries also take the statistic's `bins` (4096), `granularity` and `nonFinite`
    /// (`HistogramObserver.Options`), in the same flat object. Per channel or per group is a
    /// `granularity`, QuantCore's `Granularity` in its Codable form, e.g. `{"perTensor": {}}`,
    /// `{"perChannel": {"axis": 1}}`, `{"perGroup": {"axis": 1, "size": 128}}`.
    public static let builtIn: ObserverRegistry = {
        var r = ObserverRegistry()
        do {
            try r.register(
                name: "minmax", summary: "running min and max (exact merge)", defaults: MinMaxObserver.Options()
            ) { MinMaxObserver(options: $0) }
            try r.register(
                name: "moving-average-minmax", summary: "PyTorch moving average of batch min/max",
                defaults: MovingAverageMinMaxObserver.Options()
            ) { try MovingAverageMinMaxObserver(options: $0) }
            try r.registerHistogram(
                name: "histogram", summary: "exact power-of-two histogram, range [min, max]", defaults: MinMaxRange())
            try r.registerHistogram(
                name: "percentile", summary: "percentile range on the exact histogram", defaults: PercentileRange())
            try r.registerHistogram(
                name: "mse", summary: "range minimising expected quantization MSE on the histogram",
                defaults: MSERange())
            try r.registerHistogram(
                name: "entropy", summary: "KL-divergence threshold (TensorRT or ONNX Runtime)",
                defaults: EntropyRange())
        } catch {
            preconditionFailure("built-in observer names are distinct: \(error)")
        }
        return r
    }()
}
