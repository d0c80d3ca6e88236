public import Observers
public import QuantCore

/// The calibrated parameters of one layer's weight (per tensor, channel or group) and their error on
/// the weight itself.
public struct WeightCalibration: Codable, Sendable, Hashable {
    /// Dataset path in the weights file.
    public var dataset: String
    /// Shape of the weight.
    public var shape: [Int]
    /// Element type stored in the file (`"float32"`, `"float16"`, ...).
    public var elementType: String
    /// Observer and options that chose the ranges.
    public var observer: ObserverSpec
    /// Code format.
    public var format: IntegerFormat
    /// Numerics profile.
    public var profile: CompatibilityProfile
    /// Rounding of `x/s`.
    public var rounding: RoundingRule
    /// Granularity (axis resolved against the shape).
    public var granularity: Granularity
    /// Scheme used and why.
    public var scheme: SchemeDecision
    /// Smallest finite element (0 when none).
    public var observedMin: Float
    /// Largest finite element (0 when none).
    public var observedMax: Float
    /// Shape of the parameter arrays (`[]` per tensor, `[channels]`, or the per-group shape).
    public var parameterShape: [Int]
    /// The clipping range per parameter, as chosen by the observer (row-major over `parameterShape`).
    ///
    /// This and ``rangeMaxs``, ``scales`` and ``zeroPoints`` are empty when the calibrator did not retain
    /// them (``Calibrator/retainsWeightParameters`` false: a job that stores them in a package as each layer
    /// is done, so its memory does not grow with the model's channels); ``parameterShape`` still says how
    /// many there were.
    public var rangeMins: [Float]
    /// Upper ends of the clipping ranges.
    public var rangeMaxs: [Float]
    /// Scale per parameter.
    public var scales: [Float]
    /// Zero point per parameter.
    public var zeroPoints: [Int32]
    /// Error of the quantized weight against the original.
    public var metrics: ErrorMetrics
    /// Fraction of the finite elements whose code is clamped (outside their parameter's representable
    /// range widened by half a step).
    public var clippingFraction: Double
    /// Element counts: finite, NaN, +Inf, −Inf.
    public var counts: NonFiniteCounts
    /// Parameters whose range was degenerate (empty, zero-width, ...).
    public var degenerateRanges: [DegenerateRange]
    /// The number of parameters: the product of ``parameterShape`` (1 per tensor), also when the arrays were
    /// not retained.
    public var parameterCount: Int { parameterShape.reduce(1, *) }

    /// Empties the per-parameter arrays (``rangeMins``, ``rangeMaxs``, ``scales``, ``zeroPoints``); the
    /// rest, ``parameterShape`` included, is kept.
    mutating func releaseParameterArrays() {
        (rangeMins, rangeMaxs, scales, zeroPoints) = ([], [], [], [])
    }
    /// The number format when it is not `int` (then ``format`` only carries `bits`/`signedness`, ``scales``
    /// are the float32 scale of each block and ``zeroPoints`` are 0); `nil` for integer codes.
    public var numberFormat: NumberFormatSetting? = nil
    /// How the codes were chosen when not by round-to-nearest on the observer's ranges (`nil`).
    public var method: WeightRoundingMethod? = nil

    /// The parameters as QuantCore applies them (quantize, dequantize).
    public func parameters() throws(QuantizationError) -> QuantizationParameters {
        try QuantizationParameters(
            format: format, rounding: rounding, layout: granularity.layout(shape: shape), scales: scales,
            zeroPoints: zeroPoints, multipliesByReciprocal: profile.multipliesByReciprocal)
    }
}
