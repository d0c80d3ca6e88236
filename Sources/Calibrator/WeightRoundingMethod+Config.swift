public import Observers
public import QuantCore

extension WeightRoundingMethod.Name: ConfigChoice {
    /// The input moments the method needs (``LayerPolicy/inputMomentsLevel`` raises a layer's level to it):
    /// GPTQ and AWQ the Gram matrix, importance-weighted clipping the per-feature moments.
    public var momentsLevel: InputMomentsLevel {
        switch self {
        case .rtn: .none
        case .gptq, .awq: .gram
        case .smoothquant: .perFeature
        case .importanceClip: .perFeature
        }
    }

    /// The keys of a weights section that only configure the calibration-driven methods.
    static let settingKeys = ["method", "damping", "block-size", "act-order", "alpha-grid", "smoothing"]
}
