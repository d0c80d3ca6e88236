/// The first and second moments of one layer's input features over the calibration data: what the
/// calibration-driven weight methods (GPTQ, AWQ, SmoothQuant, importance-weighted clipping) and the
/// llama.cpp importance matrix need from the activations.
///
/// A layer input is seen as `rows` feature vectors x ∈ ℝᵈ (an activation row of shape `[..., d]`
/// contributes one vector per position along its leading axes). With N = ``rows``:
/// - ``sum``[j] = Σₙ xₙⱼ, ``sumOfAbs``[j] = Σₙ |xₙⱼ|, ``sumOfSquares``[j] = Σₙ xₙⱼ²,
/// - ``maxAbs``[j] = maxₙ |xₙⱼ|,
/// - ``gram``[i·d + j] = Σₙ xₙᵢ·xₙⱼ (row-major, symmetric, both triangles stored), when collected.
///
/// This is the finished, read-only view of what a collector accumulated. Checked at creation: every
/// per-feature vector has ``features`` entries, ``gram`` has d² entries, ``rows`` ≥ 0.
public struct InputMoments: Sendable, Hashable, Codable {
    /// Number of input features d (the length of a feature vector), > 0.
    public let features: Int
    /// Number of feature vectors N summed over.
    public let rows: Int
    /// Σx per feature.
    public let sum: [Double]
    /// Σ|x| per feature (AWQ's mean |x| is ``sumOfAbs``/N).
    public let sumOfAbs: [Double]
    /// Σx² per feature (llama.cpp's `in_sum2`; the Gram matrix's diagonal).
    public let sumOfSquares: [Double]
    /// max |x| per feature (SmoothQuant's activation range).
    public let maxAbs: [Float]
    /// Σxxᵀ, d×d row-major (both triangles), or nil when only the per-feature moments were collected.
    public let gram: [Double]?

    /// What is wrong with the parts given to ``init(features:rows:sum:sumOfAbs:sumOfSquares:maxAbs:gram:)``.
    public struct ShapeError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The reason, as a sentence fragment naming the part.
        public let reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// Creates moments from their parts.
    ///
    /// - Throws: ``ShapeError`` when a part's length is not ``features`` (d² for ``gram``), when
    ///   `features` ≤ 0 or `rows` < 0.
    public init(
        features: Int, rows: Int, sum: [Double], sumOfAbs: [Double], sumOfSquares: [Double], maxAbs: [Float],
        gram: [Double]?
    ) throws(ShapeError) {
        guard features > 0 else { throw ShapeError(reason: "features must be positive, not \(features)") }
        guard rows >= 0 else { throw ShapeError(reason: "rows must not be negative, not \(rows)") }
        for (name, count) in [
            ("sum", sum.count), ("sum_of_abs", sumOfAbs.count), ("sum_of_squares", sumOfSquares.count),
            ("max_abs", maxAbs.count),
        ] where count != features {
            throw ShapeError(reason: "\(name) has \(count) entries for \(features) features")
        }
        if let gram {
            let (square, overflow) = features.multipliedReportingOverflow(by: features)
            guard !overflow, gram.count == square else {
                throw ShapeError(reason: "gram has \(gram.count) entries for \(features)×\(features) features")
            }
        }
        self.features = features
        self.rows = rows
        self.sum = sum
        self.sumOfAbs = sumOfAbs
        self.sumOfSquares = sumOfSquares
        self.maxAbs = maxAbs
        self.gram = gram
    }

    /// Mean |x| per feature, Σ|x|/N (all zeros when N = 0).
    public var meanAbs: [Double] {
        rows == 0 ? [Double](repeating: 0, count: features) : sumOfAbs.map { $0 / Double(rows) }
    }
}
