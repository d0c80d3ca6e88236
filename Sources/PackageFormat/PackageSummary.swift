/// `summary.md`: a Markdown table with one row per layer, for people (the manifest is for programs).
///
/// Columns: layer; weight format, scheme, granularity and rounding method (when not round-to-nearest); weight SQNR (dB), MSE and max-abs error; input
/// activation format and scheme, chosen range, scale and zero-point, clipped fraction. A layer with
/// several quantized tensors (weight and bias) shows its weight's figures (the manifest has them all).
public enum PackageSummary {
    /// The table's column headers.
    public static let headers = [
        "layer", "weight", "SQNR dB", "MSE", "max abs err", "activation", "range", "scale", "zero point", "clipped",
    ]

    /// The Markdown document for `manifest`.
    public static func markdown(_ manifest: Manifest) -> String {
        var lines = [
            "# PTQKit package summary", "",
            "Format \(manifest.format) v\(manifest.formatVersion), written by PTQKit \(manifest.ptqkitVersion).",
            "Inputs: "
                + manifest.inputs.map { "\($0.role.rawValue) `\($0.path)` (\($0.size) bytes)" }.joined(separator: ", ")
                + ".",
            "",
        ]
        let rows = table(manifest)
        lines.append("| " + headers.joined(separator: " | ") + " |")
        lines.append("|" + headers.map { _ in "---" }.joined(separator: "|") + "|")
        lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table cells, one row per layer, in the order of ``headers``.
    public static func table(_ manifest: Manifest) -> [[String]] {
        manifest.layers.map { layer in
            let primary = layer.tensors.first { $0.role == "weight" } ?? layer.tensors.first
            var row = [layer.name]
            if let tensor = primary {
                if let q = tensor.quantization {
                    var granularity = q.granularity
                    if let axis = q.axis { granularity += " axis \(axis)" }
                    if let size = q.groupSize { granularity += " group \(size)" }
                    // The weight rounding method (GPTQ, AWQ, …) when the codes are not plain round-to-nearest.
                    let method = q.method.map { $0.name == .rtn ? "" : ", \($0.summary)" } ?? ""
                    row.append("\(q.format) \(q.scheme) \(granularity)\(method)")
                } else {
                    row.append("float32 (\(tensor.note ?? "not quantized"))")
                }
                if let m = tensor.metrics {
                    row += [
                        m.sqnrDecibels.map { format($0, digits: 2) } ?? "∞", scientific(m.mse),
                        scientific(m.maxAbsError),
                    ]
                } else {
                    row += ["–", "–", "–"]
                }
            } else {
                row += ["–", "–", "–", "–"]
            }
            if let a = layer.activation {
                row += [
                    "\(a.format) \(a.scheme)", "[\(scientific(Double(a.rangeMin))), \(scientific(Double(a.rangeMax)))]",
                    a.scale.map { scientific(Double($0)) }
                        ?? Self.channelSummary((a.scales ?? []).map(Double.init), scientific),
                    a.zeroPoint.map(String.init) ?? Self.channelSummary(a.zeroPoints ?? [], String.init),
                    format(a.clippingFraction * 100, digits: 3) + " %",
                ]
            } else {
                row += ["–", "–", "–", "–", "–"]
            }
            return row
        }
    }

    /// `value` with `digits` decimals.
    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }

    /// `value` in scientific notation with 3 significant digits (`1.23e-04`), or `0`.
    static func scientific(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return value == 0 ? "0" : String(value) }
        var exponent = Int((abs(value)).exponentBase10)
        var mantissa = value / power10(exponent)
        if abs(mantissa) >= 9.995 {
            exponent += 1
            mantissa /= 10
        }
        let sign = exponent < 0 ? "-" : "+"
        let digits = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
        return "\(format(mantissa, digits: 2))e\(sign)\(digits)"
    }

    /// 10^e.
    static func power10(_ e: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(e) { result *= 10 }
        return e < 0 ? 1 / result : result
    }
}

extension Double {
    /// ⌊log10(self)⌋ for a positive finite value.
    fileprivate var exponentBase10: Int {
        var e = 0
        var v = self
        while v >= 10 {
            v /= 10
            e += 1
        }
        while v < 1 {
            v *= 10
            e -= 1
        }
        return e
    }
}
