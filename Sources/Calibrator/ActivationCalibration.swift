public import Observers
public import QuantCore

/// The calibrated parameters of one layer's input activation (per tensor, or per channel in ``channels``).
public struct ActivationCalibration: Codable, Sendable, Hashable {
    /// Dataset path in the activation files.
    public var dataset: String
    /// Rows observed (across all shards).
    public var rows: Int
    /// Shape of one row.
    public var rowShape: [Int]
    /// Observer and options that chose the range.
    public var observer: ObserverSpec
    /// Code format.
    public var format: IntegerFormat
    /// Numerics profile.
    public var profile: CompatibilityProfile
    /// Rounding of `x/s`.
    public var rounding: RoundingRule
    /// Scheme used and why.
    public var scheme: SchemeDecision
    /// Smallest finite value observed (0 when none).
    public var observedMin: Float
    /// Largest finite value observed (0 when none).
    public var observedMax: Float
    /// The clipping range the observer chose for the scheme used (before zero is put in).
    public var rangeMin: Float
    /// Upper end of the clipping range.
    public var rangeMax: Float
    /// Scale s (> 0, finite); with ``channels``, that of the whole range `[rangeMin, rangeMax]` (the
    /// channels' own parameters are in ``channels``).
    public var scale: Float
    /// Zero point z (the code of 0.0); with ``channels``, that of the whole range.
    public var zeroPoint: Int32
    /// Fraction of the finite values whose code is clamped (outside `[s·(qmin − z − ½), s·(qmax − z + ½)]`),
    /// estimated on the exact histogram (counts spread uniformly within each bin).
    public var clippingFraction: Double
    /// Element counts: finite, NaN, +Inf, −Inf.
    public var counts: NonFiniteCounts
    /// Why the range was degenerate (empty, zero-width, ...), when it was (per channel: the first such channel's).
    public var degenerate: DegenerateRange.Reason?
    /// The per-channel parameters (`granularity: per-channel`); `nil` per tensor.
    public var channels: ActivationChannels? = nil
    /// A minifloat number format (then ``format`` only carries `bits`, ``zeroPoint`` is 0 and
    /// x ≈ decode(encode(x / scale)) · scale); `nil` for integer codes.
    public var numberFormat: NumberFormatSetting? = nil
    /// The compact histogram of every finite value observed (the channels' merged), for reports; `nil` when
    /// nothing finite was observed.
    public var histogram: ActivationHistogram? = nil
    /// The moments of the layer's input (``LayerPolicy/inputMomentsLevel``), for the weight calibration
    /// and the package; `nil` when none were collected. Not part of the encoded record (its Gram matrix
    /// alone is d² numbers): packages store the per-feature Σx² as a dataset.
    public var inputMoments: InputMoments? = nil
    /// With `weights: smoothing:`: each feature's observed range (before the weight phase smooths the input).
    public var featureRanges: FeatureRanges? = nil
    /// The input's smoothing, set by the weight phase (then ``channels`` holds the effective per-feature scales
    /// scale·s_j with one shared zero point, and ``scale``/``zeroPoint`` the smoothed input's per-tensor ones).
    public var smoothing: ActivationSmoothing? = nil

    private enum CodingKeys: String, CodingKey {
        case dataset, rows, rowShape, observer, format, profile, rounding, scheme, observedMin, observedMax
        case rangeMin, rangeMax, scale, zeroPoint, clippingFraction, counts, degenerate, channels, numberFormat
        case histogram, featureRanges, smoothing
    }
}
