public import QuantCore

extension ObserverRegistry {
    /// The built-in observers:
    ///
    /// | name | observer | options (defaults) |
    /// |---|---|---|
    /// | `minmax` | `MinMaxObserver` | `granularity` (per tensor), `nonFinite` (`skip`) |
    /// | `moving-average-minmax` | `MovingAverageMinMaxObserver` | `averagingConstant` (0.01), `granularity`, `nonFinite` |
    /// | `histogram` | `HistogramObserver`, range `[min, max]` | `bins` (4096), `granularity`, `nonFinite` |
    /// | `percentile` | `HistogramObserver` + `.percentile` | `percentile` (99.99), `mode` (`two-sided`/`absolute`), `convention` (`interpolated`/`lower-edge`), `bins`, `granularity`, `nonFinite` |
    /// | `mse` | `HistogramObserver` + `.mse` | `bins`, `granularity`, `nonFinite` |
    /// | `entropy` | `HistogramObserver` + `.entropy` | `algorithm` (`tensorrt`/`onnxruntime`), `startBin` (128), `bins`, `granularity`, `nonFinite` |
    ///
    /// `granularity` is QuantCore's `Granularity` in its Codable form, e.g. `"perTensor": {}`,
    /// `{"perChannel": {"axis": 1}}`, `{"perGroup": {"axis": 1, "size": 128}}`.
    public static let builtIn: ObserverRegistry = {
        var r = ObserverRegistry()
        do {
            try r.register(name: "minmax", summary: "running min and max (exact merge)", defaults: MinMaxObserver.Options()) {
                MinMaxObserver(options: $0)
            }
            try r.register(name: "moving-average-minmax", summary: "PyTorch moving average of batch min/max",
                           defaults: MovingAverageMinMaxObserver.Options()) { try MovingAverageMinMaxObserver(options: $0) }
            try r.register(name: "histogram", summary: "exact power-of-two histogram, range [min, max]",
                           defaults: HistogramOptions()) { try HistogramObserver(options: $0.observerOptions(.minmax)) }
            try r.register(name: "percentile", summary: "percentile range on the exact histogram",
                           defaults: PercentileObserverOptions()) { try HistogramObserver(options: $0.observerOptions) }
            try r.register(name: "mse", summary: "range minimising expected quantization MSE on the histogram",
                           defaults: HistogramOptions()) { try HistogramObserver(options: $0.observerOptions(.mse)) }
            try r.register(name: "entropy", summary: "KL-divergence threshold (TensorRT or ONNX Runtime)",
                           defaults: EntropyObserverOptions()) { try HistogramObserver(options: $0.observerOptions) }
        } catch {
            preconditionFailure("built-in observer names are distinct: \(error)")
        }
        return r
    }()
}

/// Options of the `histogram` and `mse` registry entries.
public struct HistogramOptions: Codable, Sendable, Equatable {
    /// Bin budget per slot (default 4096).
    public var bins = ExactHistogram.defaultBudget
    /// Per tensor (default), per channel or per group.
    public var granularity = Granularity.perTensor
    /// NaN/±Inf handling (default `.skip`).
    public var nonFinite = NonFinitePolicy.skip

    /// Default options.
    public init() {}

    /// The histogram observer's options with `method`.
    public func observerOptions(_ method: HistogramRangeMethod) -> HistogramObserver.Options {
        .init(granularity: granularity, bins: bins, nonFinite: nonFinite, method: method)
    }
}

/// Options of the `percentile` registry entry.
public struct PercentileObserverOptions: Codable, Sendable, Equatable {
    /// Percentile in (0, 100] (default 99.99).
    public var percentile = 99.99
    /// `two-sided` (default) or `absolute`.
    public var mode = PercentileOptions.Mode.twoSided
    /// `interpolated` (default, numpy's) or `lower-edge` (ONNX Runtime's).
    public var convention = PercentileOptions.Convention.interpolated
    /// Bin budget per slot (default 4096).
    public var bins = ExactHistogram.defaultBudget
    /// Per tensor (default), per channel or per group.
    public var granularity = Granularity.perTensor
    /// NaN/±Inf handling (default `.skip`).
    public var nonFinite = NonFinitePolicy.skip

    /// Default options.
    public init() {}

    /// The histogram observer's options.
    public var observerOptions: HistogramObserver.Options {
        .init(granularity: granularity, bins: bins, nonFinite: nonFinite,
              method: .percentile(.init(percentile: percentile, mode: mode, convention: convention)))
    }
}

/// Options of the `entropy` registry entry.
public struct EntropyObserverOptions: Codable, Sendable, Equatable {
    /// `tensorrt` (default) or `onnxruntime`.
    public var algorithm = EntropyOptions.Algorithm.tensorRT
    /// First candidate bin of TensorRT's search (default 128).
    public var startBin = 128
    /// Bin budget per slot (default 4096).
    public var bins = ExactHistogram.defaultBudget
    /// Per tensor (default), per channel or per group.
    public var granularity = Granularity.perTensor
    /// NaN/±Inf handling (default `.skip`).
    public var nonFinite = NonFinitePolicy.skip

    /// Default options.
    public init() {}

    /// The histogram observer's options.
    public var observerOptions: HistogramObserver.Options {
        .init(granularity: granularity, bins: bins, nonFinite: nonFinite,
              method: .entropy(.init(algorithm: algorithm, startBin: startBin)))
    }
}
