public import Observers

/// A layer's activation smoothing (`weights: smoothing:` in a configuration, in the defaults or an override):
/// SmoothQuant (Xiao et al. 2023) moves the input's outlier features into the weight with a per-input-feature
/// scale s, X·Wᵀ = (X·diag(s)⁻¹)·(W·diag(s))ᵀ:
///
///     s_j = max|X_j|^α / max_o|W_oj|^(1−α)     (1 for a feature that is never non-zero)
///
/// Written `smoothing: {method: smoothquant, alpha: 0.5}` (a fixed α in [0, 1]) or `smoothing: {method:
/// smoothquant, alpha: search, alpha-grid: 20}` (α = k/n, k = 0…n−1, chosen per layer by the layer's output
/// error with activation quantization simulated, from the Gram matrix; `alpha-grid` only with `search`,
/// default 20). `smoothing: none` (or `{method: none}`) turns an inherited smoothing off in an override.
public struct SmoothingSetting: Codable, Sendable, Hashable {
    /// The smoothing method.
    public enum Method: String, ConfigChoice, Hashable {
        /// No smoothing (turns an inherited setting off).
        case none
        /// SmoothQuant's s_j = max|X_j|^α / max|W_j|^(1−α).
        case smoothquant

        /// Decodes one of the allowed spellings (the error lists them).
        public init(from decoder: any Decoder) throws { self = try Self.decodeChoice(from: decoder) }
    }

    /// How α is chosen.
    public enum Alpha: Sendable, Hashable, Codable {
        /// This α for every layer the setting reaches (0.5 in the paper), 0 ≤ α ≤ 1.
        case fixed(Double)
        /// The α of `count` grid points k/count with the least simulated output error.
        case search(count: Int)
    }

    /// The method.
    public var method: Method
    /// How α is chosen.
    public var alpha: Alpha

    /// Creates a setting.
    public init(method: Method = .smoothquant, alpha: Alpha = .fixed(0.5)) {
        self.method = method
        self.alpha = alpha
    }

    /// The input moments the setting needs: max|x| per feature for a fixed α, the Gram matrix for a search.
    public var momentsLevel: InputMomentsLevel {
        if case .search = alpha { .gram } else { .perFeature }
    }

    /// The default number of α searched, 20.
    public static let defaultGrid = 20
    /// Allowed `alpha-grid`.
    public static let gridRange: ClosedRange<Int> = 1...1000

    enum CodingKeys: String, CodingKey, CaseIterable {
        case method, alpha
        case alphaGrid = "alpha-grid"
    }

    /// Decodes the mapping form, rejecting unknown keys and out-of-domain values with their key paths.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard text == Method.none.rawValue else {
                throw ConfigError(
                    .invalidValue(text, allowed: "none or {method: smoothquant, alpha: …}"),
                    codingPath: decoder.codingPath)
            }
            (method, alpha) = (.none, .fixed(0.5))
            return
        }
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        method = try c.decode(Method.self, forKey: .method)
        let grid = try c.decodeIfPresent(Int.self, forKey: .alphaGrid, in: Self.gridRange)
        // YAML scalars also decode as strings: a number first, then the word
        if (try? c.decodeIfPresent(Double.self, forKey: .alpha)) == nil,
            let text = try? c.decodeIfPresent(String.self, forKey: .alpha)
        {
            guard text == "search" else {
                throw ConfigError(
                    .invalidValue(text, allowed: "a number 0...1 or search"),
                    codingPath: c.codingPath + [CodingKeys.alpha])
            }
            alpha = .search(count: grid ?? Self.defaultGrid)
            return
        }
        let value =
            try c.decodeIfPresent(Double.self, forKey: .alpha, allowed: "a number 0...1 or search") {
                (0...1).contains($0)
            } ?? 0.5
        guard grid == nil else {
            throw ConfigError(
                .invalidValue(String(grid ?? 0), allowed: "alpha-grid only with alpha: search"),
                codingPath: c.codingPath + [CodingKeys.alphaGrid])
        }
        alpha = .fixed(value)
    }

    /// Encodes the mapping form (`alpha` a number or `search` with `alpha-grid`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        switch alpha {
        case .fixed(let value): try c.encode(value, forKey: .alpha)
        case .search(let count):
            try c.encode("search", forKey: .alpha)
            try c.encode(count, forKey: .alphaGrid)
        }
    }
}
