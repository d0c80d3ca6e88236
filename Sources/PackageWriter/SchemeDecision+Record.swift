public import Calibrator

extension SchemeDecision {
    /// The errors a manifest records for this decision (`symmetric_error`, `asymmetric_error`): both measured
    /// candidates' mean squared errors when the scheme was chosen automatically (`auto`), `nil` otherwise and
    /// for a candidate not evaluated or not finite.
    public var recordedErrors: (symmetric: Double?, asymmetric: Double?) {
        guard requested == .auto else { return (nil, nil) }
        let finite = { (x: Double?) in x.flatMap { $0.isFinite ? $0 : nil } }
        return (finite(symmetricError), finite(asymmetricError))
    }
}
