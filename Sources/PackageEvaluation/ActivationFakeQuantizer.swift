import PackageFormat
import QuantCore

/// A layer input fake-quantized with a package's activation record (`docs/package-format.md`), as the
/// deployed integer (or minifloat) inference sees it:
///
/// - integer, per tensor: `x̂ = s · (clip(round(x / s) + z, qmin, qmax) − z)`, rounded as the record says
///   (`half-even` or `half-away`), in Double with `s` the decimal the manifest prints;
/// - integer, per channel: the same with `s_c`, `z_c` of the element's index `c` along the record's `axis`
///   of the activation dataset `[rows, …]`;
/// - minifloat (per tensor): `x̂ = decode(RNE_sat(x / s)) · s` in Float32, with the format's saturating codec.
struct ActivationFakeQuantizer: Sendable {
    /// What is applied.
    enum Grid: Sendable {
        /// Integer codes: one scale and zero point per channel (one entry per tensor), `channelStride` elements
        /// of a row per index step along the axis and `channelCount` channels (1 and 1 per tensor).
        case integer(
            scales: [Double], zeroPoints: [Double], qmin: Double, qmax: Double, rounding: RoundingRule,
            channelStride: Int, channelCount: Int)
        /// Minifloat codes with one scale.
        case minifloat(FloatFormatCodec, scale: Float)
    }

    let grid: Grid
    /// Human-readable summary: `int8 per-tensor`, `uint8 per-channel (axis 1)`, `fp8_e4m3fn per-tensor`.
    let summary: String

    /// The quantizer of `record` for the activation dataset `dataset` of `file`, whose rows have shape `rowShape`.
    /// - Throws: ``EvaluationError/unusable(file:dataset:reason:)`` when the record's format is unknown, its
    ///   parameters are missing, or its channel axis does not fit `rowShape`.
    init(_ record: ActivationRecord, rowShape: [Int], file: String, dataset: String) throws(EvaluationError) {
        let rounding: RoundingRule = record.rounding == "half-away" ? .toNearestOrAwayFromZero : .toNearestOrEven
        /// The decimal the manifest prints, read as a Double (as the Python reference reads it).
        func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
        if !record.hasIntegerCodes {
            guard let format = FloatFormat(presetName: record.format), let scale = record.scale else {
                throw .unusable(
                    file: file, dataset: dataset,
                    reason:
                        "activation format \(record.format) is neither an integer nor a known minifloat with a scale")
            }
            grid = .minifloat(FloatFormatCodec(format: format, options: .saturating), scale: scale)
            summary = "\(record.format) per-tensor"
            return
        }
        let (qmin, qmax) = (Double(record.qmin), Double(record.qmax))
        if let scale = record.scale, let zeroPoint = record.zeroPoint {
            grid = .integer(
                scales: [decimal(scale)], zeroPoints: [Double(zeroPoint)], qmin: qmin, qmax: qmax, rounding: rounding,
                channelStride: 1, channelCount: 1)
            summary = "\(record.format) per-tensor"
            return
        }
        guard let axis = record.axis, let scales = record.scales, let zeroPoints = record.zeroPoints,
            scales.count == zeroPoints.count
        else {
            throw .unusable(
                file: file, dataset: dataset, reason: "activation record has neither one scale nor per-channel scales")
        }
        guard axis >= 1, axis <= rowShape.count, rowShape[axis - 1] == scales.count else {
            throw .unusable(
                file: file, dataset: dataset,
                reason:
                    "activation record has \(scales.count) channels along axis \(axis), the dataset's rows are "
                    + "\(rowShape)")
        }
        grid = .integer(
            scales: scales.map(decimal), zeroPoints: zeroPoints.map(Double.init), qmin: qmin, qmax: qmax,
            rounding: rounding, channelStride: rowShape[axis...].reduce(1, *), channelCount: scales.count)
        summary = "\(record.format) per-channel (axis \(axis))"
    }

    /// Writes `x − x̂` of one dataset row (`row.count` elements, row-major over the row shape) into `delta`.
    func error(of row: UnsafeBufferPointer<Float>, into delta: UnsafeMutableBufferPointer<Float>) {
        switch grid {
        case .integer(let scales, let zeroPoints, let qmin, let qmax, let rounding, let stride, let channels):
            for i in 0..<row.count {
                let c = channels == 1 ? 0 : (i / stride) % channels
                let x = Double(row[i])
                let q = min(max(rounding.round(x / scales[c]) + zeroPoints[c], qmin), qmax)
                delta[i] = Float(x - (q - zeroPoints[c]) * scales[c])
            }
        case .minifloat(let codec, let scale):
            for i in 0..<row.count {
                let x = row[i]
                delta[i] = x - codec.decode(codec.encode(x / scale)) * scale
            }
        }
    }
}
