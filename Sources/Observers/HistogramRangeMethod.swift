/// How a histogram observer turns its exact histogram into a clipping range.
///
/// The statistic is the same for all methods, so a saved histogram state can be re-calibrated
/// with any of them ("calibrate once, choose later": `HistogramObserver.with(method:)`).
public enum HistogramRangeMethod: Codable, Sendable, Hashable {
    /// `[min, max]` of the data.
    case minmax
    /// A percentile range (`percentile` observer).
    case percentile(PercentileOptions)
    /// The range minimising the expected quantization MSE on the target grid (`mse` observer).
    case mse
    /// A KL-divergence threshold (`entropy` observer).
    case entropy(EntropyOptions)

    /// Short name used in reports (`"minmax"`, `"percentile"`, `"mse"`, `"entropy"`).
    public var name: String {
        switch self {
        case .minmax: return "minmax"
        case .percentile: return "percentile"
        case .mse: return "mse"
        case .entropy: return "entropy"
        }
    }
}

/// Options of the percentile method.
public struct PercentileOptions: Codable, Sendable, Hashable {
    /// Which values the percentile is taken of.
    public enum Mode: String, Codable, Sendable, Hashable, CaseIterable {
        /// `[P(100 − p), P(p)]` of the values (cuts `(100 − p)%` from each tail).
        case twoSided = "two-sided"
        /// `[−P(p), P(p)]` of `|x|`, intersected with `[min, max]`.
        case absolute
    }
    /// How a percentile is read off the bins.
    public enum Convention: String, Codable, Sendable, Hashable, CaseIterable {
        /// numpy's default ("linear") percentile, values spread evenly within a bin (default).
        case interpolated
        /// ONNX Runtime's: lower edge of the first bin whose cumulative fraction reaches `p/100`.
        case lowerEdge = "lower-edge"
    }

    /// Percentile in `(0, 100]` (default 99.99).
    public var percentile: Double
    /// Two-sided (default) or on `|x|`.
    public var mode: Mode
    /// Interpolated (default) or ONNX Runtime's lower-edge convention.
    public var convention: Convention

    /// Creates percentile options.
    public init(percentile: Double = 99.99, mode: Mode = .twoSided, convention: Convention = .interpolated) {
        self.percentile = percentile
        self.mode = mode
        self.convention = convention
    }
}

/// Options of the entropy method.
public struct EntropyOptions: Codable, Sendable, Hashable {
    /// Which published algorithm to follow.
    public enum Algorithm: String, Codable, Sendable, Hashable, CaseIterable {
        /// TensorRT's, on the `|x|` histogram (default). See `EntropySearch.tensorRT`.
        case tensorRT = "tensorrt"
        /// ONNX Runtime's, on the signed histogram. See `EntropySearch.onnxRuntime`.
        case onnxRuntime = "onnxruntime"
    }

    /// Algorithm (default TensorRT's).
    public var algorithm: Algorithm
    /// First candidate bin of TensorRT's search (default 128).
    public var startBin: Int

    /// Creates entropy options.
    public init(algorithm: Algorithm = .tensorRT, startBin: Int = 128) {
        self.algorithm = algorithm
        self.startBin = startBin
    }
}
