/// The `entropy` observer's range method and its options: a KL-divergence threshold, as TensorRT or
/// ONNX Runtime compute it.
///
/// - TensorRT (default): `[−a, a]`, `a` the threshold of `EntropySearch.tensorRT` on the folded `|x|`
///   histogram with `levels = 2^(bits−1)` (signed targets) or `2^bits` (unsigned) quantized bins;
/// - ONNX Runtime: `[low, high]` of `EntropySearch.onnxRuntime` with `2^bits` quantized bins.
public struct EntropyRange: HistogramRange {
    /// Which published algorithm to follow.
    public enum Algorithm: String, Codable, Sendable, Hashable, CaseIterable {
        /// TensorRT's, on the `|x|` histogram (default). See `EntropySearch.tensorRT`.
        case tensorRT = "tensorrt"
        /// ONNX Runtime's, on the signed histogram. See `EntropySearch.onnxRuntime`.
        case onnxRuntime = "onnxruntime"
    }

    /// Algorithm (default TensorRT's).
    public var algorithm: Algorithm
    /// First candidate bin of TensorRT's search (default 128, at least 1).
    public var startBin: Int

    /// Creates entropy options; the defaults here are the `entropy` observer's.
    public init(algorithm: Algorithm = .tensorRT, startBin: Int = 128) {
        self.algorithm = algorithm
        self.startBin = startBin
    }

    /// `.entropy(self)`.
    public var method: HistogramRangeMethod { .entropy(self) }

    /// - Throws: `ObserverError.invalidOption` unless `startBin ≥ 1`.
    public func validate() throws(ObserverError) {
        guard startBin >= 1 else {
            throw .invalidOption(kind: "entropy", option: "startBin", reason: "must be positive")
        }
    }

    /// The entropy threshold range of `h` for `target` (see the type's discussion).
    public func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float) {
        switch algorithm {
        case .tensorRT:
            let levels = target.qmin < 0 ? 1 << (target.bits - 1) : 1 << target.bits
            let (abs, w) = h.folded()
            let a = Float(EntropySearch.tensorRT(absHistogram: abs, binWidth: w, levels: levels, startBin: startBin))
            return (-a, a)
        case .onnxRuntime:
            let (l, u) = EntropySearch.onnxRuntime(h, quantizedBins: 1 << target.bits)
            return (Float(l), Float(u))
        }
    }
}
