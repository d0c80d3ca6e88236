public import QuantCore

/// One tensor of the weights file as the calibration decided to store it, with everything a package
/// writer needs already computed: the codes, the parameters and the error of exactly those codes. The
/// calibrator reads each weight once and quantizes it once per candidate scheme; a writer stores these
/// values and never reads or quantizes the tensor again.
public struct CalibratedTensor: Sendable {
    /// How the tensor is stored.
    public enum Content: Sendable {
        /// Integer codes (2…16 bits) with these parameters, the scheme they came from, and why it was
        /// chosen (when chosen automatically).
        case affine(
            codes: [Int32], parameters: QuantizationParameters, symmetry: Symmetry, profile: CompatibilityProfile,
            schemeReason: String?, metrics: ErrorMetrics)
        /// Integer codes as ``affine(codes:parameters:symmetry:profile:schemeReason:metrics:)`` stores them, of a
        /// weight too large to hold whole: produced block by block from the weights file when stored
        /// (``StreamedCodes``, which holds the parameters).
        case streamedAffine(
            codes: StreamedCodes, symmetry: Symmetry, profile: CompatibilityProfile, schemeReason: String?,
            metrics: ErrorMetrics)
        /// int32 codes `q = clamp(round_half_even(x / s), −2³¹, 2³¹ − 1)` (NaN → 0), zero point 0, one scale
        /// per element of a 1-D tensor or one for the tensor, and why.
        case int32(codes: [Int32], scales: [Float], reason: String, metrics: ErrorMetrics)
        /// The values unquantized, with the reason.
        case float32(values: [Float], note: String)
        /// Two's-complement fixed-point codes `q` with `x ≈ E · q`: the parameters' scales are E (2^−n, or the
        /// Float nearest 10^−d), zero points 0; `fractionBits` n when every parameter shares it, `fractionDigits`
        /// d for the seed's decimal exponent.
        case fixedPoint(
            codes: [Int32], parameters: QuantizationParameters, fractionBits: Int?, fractionDigits: Int?,
            metrics: ErrorMetrics)
        /// Minifloat codes (one per byte) with a float32 scale per block of `granularity`:
        /// `x ≈ decode(code) · scale`.
        case minifloat(
            format: NumberFormatSetting, codes: [UInt8], scales: [Float], granularity: Granularity,
            metrics: ErrorMetrics)
        /// MX or NVFP4 codes with their block scale codes (blocks along `axis`).
        case blockScaled(
            format: NumberFormatSetting, quantized: BlockScaledQuantizer.Quantized, axis: Int, metrics: ErrorMetrics)
    }

    /// Layer the tensor belongs to.
    public var layer: String
    /// Dataset path in the weights file (absolute).
    public var dataset: String
    /// Its role (`weight`, `bias`).
    public var role: String
    /// Its shape.
    public var shape: [Int]
    /// Element type stored in the weights file (`"float32"`, ...).
    public var elementType: String
    /// The stored form.
    public var content: Content
    /// NaN elements of the tensor read, or `nil` when there are none (a package records them for quantized
    /// tensors only when there are some).
    public var nanCount: Int?
    /// ±Inf elements of the tensor read, or `nil` when there are none.
    public var infCount: Int?
    /// What the tensor is to its layer as the weights file's layout says (``TensorRole`` raw value), if known.
    public var layoutRole: String?
    /// The framework's name of the tensor (`conv1/kernel`), if the layout gives one.
    public var sourceName: String?
    /// How the scheme of an affine tensor was decided (both candidates' errors for `auto`), `nil` for
    /// other contents.
    public var schemeDecision: SchemeDecision?
    /// How the codes of a weight were chosen when not by plain round-to-nearest (GPTQ, importance-clip, AWQ).
    public var roundingMethod: WeightRoundingMethod?
    /// AWQ: s per input feature (Float32) when the codes quantize W·diag(s); the package stores it beside the
    /// weight (``WeightRoundingMethod/inputScaleDataset``) and the weight is deq(codes)·diag(s)⁻¹.
    public var inputScales: [Float]?

    /// Creates a tensor record; `values` (the tensor as read, when given) supplies the non-finite counts.
    public init(
        layer: String, dataset: String, role: String, shape: [Int], elementType: String, content: Content,
        values: [Float]? = nil
    ) {
        if let values {
            let nan = values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
            let inf = values.reduce(0) { $0 + ($1.isInfinite ? 1 : 0) }
            nanCount = nan > 0 ? nan : nil
            infCount = inf > 0 ? inf : nil
        }
        self.layer = layer
        self.dataset = dataset
        self.role = role
        self.shape = shape
        self.elementType = elementType
        self.content = content
    }
}
