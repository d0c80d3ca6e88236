internal import QuantCore

/// The integer grid of one block column for every output channel: row r's (scale, zero point) for the block
/// currently being rounded, made by the scheme itself (`AffineScheme.parameters(mins:maxs:shape:)` on an
/// `[outputs, 1]` per-channel layout) and applied with QuantCore's kernels, so a method's codes are exactly
/// what the recorded parameters give.
struct RowGrid {
    /// Parameters of shape `[outputs, 1]`, per channel along axis 0.
    let parameters: QuantizationParameters

    /// The grid for per-row ranges `mins[r]…maxs[r]`.
    init(scheme: AffineScheme, mins: [Float], maxs: [Float]) throws(WeightRoundingError) {
        var rows = scheme
        rows.granularity = .perChannel(axis: 0)
        do {
            parameters = try rows.parameters(mins: mins, maxs: maxs, shape: [mins.count, 1])
        } catch {
            throw .quantization("\(error)")
        }
    }

    /// The code of `w` on row r's grid and its value `s·(q − z)`.
    @inline(__always)
    func round(_ w: Double, row r: Int) -> (code: Int32, value: Double) {
        let q = parameters.quantize(Float(w), parameter: r)
        return (q, Double(parameters.dequantize(q, parameter: r)))
    }

    /// Finite min and max of `values[r·stride + c]` for c in `columns`, per row r < rows (Float, as ranges are
    /// recorded).
    static func ranges(
        _ values: [Double], rows: Int, stride: Int, columns: some Sequence<Int>
    ) -> (mins: [Float], maxs: [Float]) {
        var mins = [Float](repeating: 0, count: rows)
        var maxs = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            var lo = Double.infinity
            var hi = -Double.infinity
            for c in columns {
                let v = values[r * stride + c]
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            mins[r] = Float(lo)
            maxs[r] = Float(hi)
        }
        return (mins, maxs)
    }
}
