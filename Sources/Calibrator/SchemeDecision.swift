public import QuantCore

/// Which scheme a tensor got and why: the configured choice, the scheme used, and for `auto` the
/// expected quantization error of both candidates.
///
/// Errors are mean squared errors per finite element: for activations the expected value on the
/// exact histogram (counts spread uniformly within each bin), for weights the exact value on the
/// weight tensor itself.
public struct SchemeDecision: Codable, Sendable, Hashable {
    /// The configured scheme (`symmetric`, `asymmetric` or `auto`).
    public var requested: SchemeChoice
    /// The scheme used.
    public var chosen: Symmetry
    /// Mean squared error with symmetric parameters (`nil` when not evaluated).
    public var symmetricError: Double?
    /// Mean squared error with asymmetric parameters (`nil` when not evaluated).
    public var asymmetricError: Double?
    /// For `auto`: the relative reduction asymmetric had to reach.
    public var margin: Double?
    /// The decision in words.
    public var reason: String

    /// Creates a decision.
    public init(
        requested: SchemeChoice, chosen: Symmetry, symmetricError: Double? = nil, asymmetricError: Double? = nil,
        margin: Double? = nil, reason: String
    ) {
        self.requested = requested
        self.chosen = chosen
        self.symmetricError = symmetricError
        self.asymmetricError = asymmetricError
        self.margin = margin
        self.reason = reason
    }

    /// The `auto` rule: asymmetric only when `asymmetric ≤ (1 − margin) · symmetric` and it is
    /// strictly lower; symmetric when both are equal (including both zero).
    ///
    /// `measure` names the error in the reason (`"expected MSE on the histogram"`).
    public static func auto(symmetric: Double, asymmetric: Double, margin: Double, measure: String) -> SchemeDecision {
        // reduction = 1 − asymmetric/symmetric (0 when symmetric is already exact)
        let reduction = symmetric > 0 ? 1 - asymmetric / symmetric : 0
        let percent = { (x: Double) in String(Int((x * 100).rounded())) + " %" }
        let takeAsymmetric = asymmetric < symmetric && reduction >= margin
        let reason =
            takeAsymmetric
            ? "auto: asymmetric lowers the \(measure) by \(percent(reduction)) (margin \(percent(margin)))"
            : "auto: asymmetric lowers the \(measure) by \(percent(max(reduction, 0))), "
                + "below the margin \(percent(margin)); symmetric kept"
        return SchemeDecision(
            requested: .auto, chosen: takeAsymmetric ? .asymmetric : .symmetric, symmetricError: symmetric,
            asymmetricError: asymmetric, margin: margin, reason: reason)
    }
}
