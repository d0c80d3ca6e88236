internal import QuantCore

/// The configuration rules of activation granularity: per tensor, or per channel along a feature axis.
///
/// An activation dataset is `[rows, …]`: axis 0 counts the recorded rows (samples, tokens), whose number
/// differs between batches and shards, so a channel axis must be another one (default −1, the last).
enum ActivationGranularityRules {
    /// Granularities activations accept.
    static let allowed: [GranularityKind] = [.perTensor, .perChannel]

    /// The keys only activation sections accept.
    static let activationOnlyKeys = ["zero-point", "moments"]

    /// The keys an activations section accepts (everything but ``WeightRoundingMethod/Name/settingKeys``), for the error
    /// message.
    static var activationKeys: [String] {
        PolicySettings.CodingKeys.allCases.map(\.stringValue).filter {
            !WeightRoundingMethod.Name.settingKeys.contains($0)
        }
    }

    /// The keys a weights section accepts (everything but ``activationOnlyKeys``), for the error message.
    static var weightKeys: [String] {
        PolicySettings.CodingKeys.allCases.map(\.stringValue).filter { !activationOnlyKeys.contains($0) }
    }

    /// Checks one activation section (defaults or an override) at `path`.
    /// - Throws: ``ConfigError`` at `granularity` for per-group, at `axis` for axis 0.
    static func check(_ section: PolicySettings, at path: [ConfigPathComponent]) throws(ConfigError) {
        let weightOnly: [(String, Bool)] = [
            ("method", section.method != nil), ("damping", section.damping != nil),
            ("block-size", section.blockSize != nil), ("act-order", section.actOrder != nil),
            ("alpha-grid", section.alphaGrid != nil), ("smoothing", section.smoothing != nil),
        ]
        for (key, present) in weightOnly where present {
            throw ConfigError(.unknownKey(key, allowed: activationKeys), at: path)
        }
        if let granularity = section.granularity, !allowed.contains(granularity) {
            throw ConfigError(
                .invalidValue(
                    granularity.rawValue, allowed: allowed.map(\.rawValue).joined(separator: ", ") + " (activations)"),
                at: path + [.key("granularity")])
        }
        if section.axis == 0 {
            throw ConfigError(
                .invalidValue("0", allowed: "a feature axis: 1... or negative from the end (axis 0 is the rows)"),
                at: path + [.key("axis")])
        }
    }
}
