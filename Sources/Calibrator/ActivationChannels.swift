public import QuantCore

/// The per-channel parameters of one layer's input activation (`granularity: per-channel`).
///
/// Element `x` whose index along `axis` is `c` is fake-quantized as
/// `x̂ = s_c · (clamp(round(x / s_c) + z_c, qmin, qmax) − z_c)`.
public struct ActivationChannels: Codable, Sendable, Hashable {
    /// Channel axis of the activation dataset (`[rows, …]`, so ≥ 1), resolved from the configured axis.
    public var axis: Int
    /// One zero point per channel, or one shared by all.
    public var zeroPoint: ZeroPointSharing
    /// Lower end of each channel's clipping range (the observer's, for the scheme used).
    public var rangeMin: [Float]
    /// Upper end of each channel's clipping range.
    public var rangeMax: [Float]
    /// Scale of each channel (> 0, finite).
    public var scales: [Float]
    /// Zero point of each channel (all equal when shared).
    public var zeroPoints: [Int32]

    /// Creates the record from its parts (all lists one entry per channel).
    public init(
        axis: Int, zeroPoint: ZeroPointSharing, rangeMin: [Float], rangeMax: [Float], scales: [Float],
        zeroPoints: [Int32]
    ) {
        self.axis = axis
        self.zeroPoint = zeroPoint
        self.rangeMin = rangeMin
        self.rangeMax = rangeMax
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// The channel axis and the number of channels for `settings` on a dataset of rows shaped `rowShape`,
    /// or `nil` per tensor. The configured axis counts the dataset's dimensions `[rows] + rowShape`
    /// (negative from the end).
    /// - Throws: `CalibrationError.quantization` (axis out of range) naming the layer and dataset, or
    ///   `.observer` when the axis is the rows' axis.
    static func layout(
        _ settings: QuantizationSettings, rowShape: [Int], layer: String, dataset: String
    ) throws(CalibrationError) -> (axis: Int, count: Int)? {
        guard settings.granularity == .perChannel else { return nil }
        let rank = rowShape.count + 1
        let axis = settings.axis < 0 ? settings.axis + rank : settings.axis
        guard axis >= 0, axis < rank else {
            throw .quantization(layer: layer, dataset: dataset, .axisOutOfRange(axis: settings.axis, rank: rank))
        }
        guard axis >= 1 else {
            throw .observer(
                layer: layer, dataset: dataset,
                reason: "activation axis \(settings.axis) is the rows' axis of a dataset of rows \(rowShape); "
                    + "per-channel activations need a feature axis")
        }
        return (axis, rowShape[axis - 1])
    }
}
