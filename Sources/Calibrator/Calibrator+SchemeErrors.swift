internal import Observers
internal import QuantCore

// The measures the activation scheme decision compares (expected squared error and clipped share over
// one or several histogram slots) and the decision itself.

extension Calibrator {
    /// Expected squared error per value over the slots (one histogram and pair per tensor or channel),
    /// each slot's weighted by its count; one slot: its own.
    static func expectedSquaredError(
        _ histograms: [ExactHistogram], _ p: [AffineScheme.ScaleAndZeroPoint], format: IntegerFormat
    ) -> Double {
        if histograms.count == 1, let q = p.first {
            return histograms[0].expectedSquaredError(scale: q.scale, zeroPoint: q.zeroPoint, format: format)
        }
        var sum = 0.0
        var total = 0.0
        for (h, q) in zip(histograms, p) where h.total > 0 {
            sum += h.expectedSquaredError(scale: q.scale, zeroPoint: q.zeroPoint, format: format) * Double(h.total)
            total += Double(h.total)
        }
        return total > 0 ? sum / total : 0
    }

    /// Fraction of the finite values whose code is clamped (outside `[s·(qmin − z − ½), s·(qmax − z + ½)]`
    /// of their slot), each slot's weighted by its count.
    static func clippingFraction(
        _ histograms: [ExactHistogram], _ p: [AffineScheme.ScaleAndZeroPoint], format: IntegerFormat
    ) -> Double {
        func outside(_ h: ExactHistogram, _ q: AffineScheme.ScaleAndZeroPoint) -> Double {
            let low = Double(q.scale) * (Double(Int(format.qmin) - Int(q.zeroPoint)) - 0.5)
            let high = Double(q.scale) * (Double(Int(format.qmax) - Int(q.zeroPoint)) + 0.5)
            return h.fractionOutside(low: low, high: high)
        }
        if histograms.count == 1, let q = p.first { return outside(histograms[0], q) }
        var sum = 0.0
        var total = 0.0
        for (h, q) in zip(histograms, p) where h.total > 0 {
            sum += outside(h, q) * Double(h.total)
            total += Double(h.total)
        }
        return total > 0 ? sum / total : 0
    }
}

extension SchemeDecision {
    /// The decision for `requested` given the error of each evaluated scheme (`auto` evaluates both,
    /// except for profiles without an asymmetric mode).
    static func decide(
        requested: SchemeChoice, profile: CompatibilityProfile, margin: Double, measure: String,
        errors: [(Symmetry, Double)]
    ) -> SchemeDecision {
        let symmetric = errors.first { $0.0 == .symmetric }?.1
        let asymmetric = errors.first { $0.0 == .asymmetric }?.1
        switch (requested, symmetric, asymmetric) {
        case (.auto, let s?, let a?):
            return .auto(symmetric: s, asymmetric: a, margin: margin, measure: measure)
        case (.auto, let s, _):
            return SchemeDecision(
                requested: .auto, chosen: .symmetric, symmetricError: s, margin: margin,
                reason: "auto: profile \(profile.rawValue) has no asymmetric mode; symmetric")
        default:
            return SchemeDecision(
                requested: requested, chosen: requested == .asymmetric ? .asymmetric : .symmetric,
                symmetricError: symmetric, asymmetricError: asymmetric, reason: "configured")
        }
    }
}
