/// Which moments of a layer's input are collected (`activations: moments:` in a configuration):
/// `none` < `per-feature` (Σx, Σ|x|, Σx², max|x| per feature: importance-weighted clipping, SmoothQuant,
/// the llama.cpp importance matrix) < `gram` (those and Σxxᵀ: GPTQ, AWQ's output error).
public enum InputMomentsLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Nothing collected (the default).
    case none
    /// The per-feature moments only: 4·d numbers per layer.
    case perFeature = "per-feature"
    /// The per-feature moments and the Gram matrix: d² numbers per layer.
    case gram

    /// `none` < `per-feature` < `gram`: a higher level collects everything a lower one does.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .none: 0
        case .perFeature: 1
        case .gram: 2
        }
    }
}
