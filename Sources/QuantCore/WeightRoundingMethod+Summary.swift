extension WeightRoundingMethod {
    /// A short human-readable description of the method and the settings that shaped the codes, for tables
    /// (`summary.md`, `ptq inspect`, `ptq report`): `"gptq (damping 0.01, blocks of 128, act-order)"`,
    /// `"awq (α 0.45 of 20, s beside the weight)"`, `"importance-clip"`, `"rtn"`.
    public var summary: String {
        var settings: [String] = []
        if let damping { settings.append("damping \(Self.decimal(damping))") }
        if let blockSize { settings.append("blocks of \(blockSize)") }
        if actOrder == true { settings.append("act-order") }
        if let alpha {
            settings.append("α \(Self.decimal(alpha))" + (alphaGrid.map { " of \($0)" } ?? ""))
        }
        if inputScaleDataset != nil { settings.append("s beside the weight") }
        return settings.isEmpty ? name.rawValue : "\(name.rawValue) (\(settings.joined(separator: ", ")))"
    }

    /// `value` with at most 4 significant decimals and no trailing zeros (0.01, 0.45, 1).
    private static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        var text = String((value * 10_000).rounded() / 10_000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
