public import PackageFormat

/// One activation range as a target format receives it: the layer's input range from its manifest record,
/// under the consumer's tensor name.
public struct ExportedRange: Sendable, Hashable {
    /// The PTQKit layer name.
    public var layer: String
    /// The tensor name written to the output (the layer name, or its `--names` target).
    public var name: String
    /// The manifest's record of the layer's input activation.
    public var record: ActivationRecord
    /// The activation's one scale (the consumers take one range per tensor).
    public var scale: Float
    /// The activation's one zero point.
    public var zeroPoint: Int

    /// Creates an entry for `format`.
    /// - Throws: ``ExportError/unsupported(layer:format:reason:)`` for a per-channel activation record (no
    ///   consumer format here takes one range per channel of an activation), a smoothed input among them (its
    ///   range is that of X·diag(s)⁻¹, which the consumer's graph does not compute).
    public init(layer: String, name: String, record: ActivationRecord, format: ExportFormat) throws(ExportError) {
        if let smoothing = record.smoothing {
            throw .unsupported(
                layer: layer, format: format,
                reason: "its input activation is smoothed (\(smoothing.method): quantized as X·diag(s)⁻¹ with s in "
                    + "\(smoothing.inputScaleDataset)); \(format.rawValue) has no input scale to divide by")
        }
        guard let scale = record.scale, let zeroPoint = record.zeroPoint else {
            throw .unsupported(
                layer: layer, format: format,
                reason: "its input activation is quantized per channel (granularity \(record.granularity ?? "?")); "
                    + "\(format.rawValue) takes one range per activation tensor")
        }
        self.layer = layer
        self.name = name
        self.record = record
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// Lower end of the range the observer chose (`range_min`), the value ORT calls `lowest`.
    public var lowest: Float { record.rangeMin }
    /// Upper end of the range the observer chose (`range_max`), the value ORT calls `highest`.
    public var highest: Float { record.rangeMax }
    /// The dynamic range of a symmetric consumer: amax = max(|lowest|, |highest|).
    public var absoluteMaximum: Float { max(abs(record.rangeMin), abs(record.rangeMax)) }

    /// Whether the record's codes are integers (``PackageFormat/ActivationRecord/hasIntegerCodes``).
    public var hasIntegerCodes: Bool { record.hasIntegerCodes }
}
