/// One layer's measured output SQNR on held-out inputs, or why it was not measured.
///
/// SQNR = 10·log10(‖XWᵀ‖² / ‖XWᵀ − X̂Ŵᵀ‖²) over every held-out input vector (bias excluded): with X̂ = X
/// for ``weightsOnlySQNR``, with the package's activation fake-quant for ``withActivationsSQNR``.
public struct LayerEvaluation: Sendable, Hashable {
    /// Layer name as the package records it.
    public var layer: String
    /// The weight's dataset path (`nil` when the layer has no weight).
    public var weight: String?
    /// The held-out dataset read as the layer's input (`nil` when none was found).
    public var dataset: String?
    /// Rows of ``dataset`` used (rows with a NaN or ±Inf are left out and counted in ``nonFiniteRows``).
    public var rows: Int?
    /// Input vectors multiplied: ``rows`` × the `in`-wide slices of a row (a `[rows, tokens, in]` dataset
    /// gives `tokens` per row).
    public var vectors: Int?
    /// Rows left out because they hold a NaN or ±Inf.
    public var nonFiniteRows = 0
    /// The weight's stored format: `int8 per-channel`, `uint4 per-group (32)`, `float32`.
    public var weightFormat: String?
    /// The activation fake-quant applied, `nil` when the package keeps the layer's input in float.
    public var activationFormat: String?
    /// ‖XWᵀ‖² summed over the vectors.
    public var signalEnergy: Double?
    /// ‖XWᵀ − XŴᵀ‖² summed over the vectors.
    public var weightsOnlyError: Double?
    /// ‖XWᵀ − X̂Ŵᵀ‖² summed over the vectors (`nil` without activation fake-quant).
    public var withActivationsError: Double?
    /// Output SQNR in dB with float inputs; `nil` when not measured or when the error is 0 (lossless).
    public var weightsOnlySQNR: Double?
    /// Output SQNR in dB with fake-quantized inputs; `nil` when not measured, when the package keeps the
    /// input in float, or when the error is 0.
    public var withActivationsSQNR: Double?
    /// Why the layer was not measured (`not a linear layer (weight [64, 3, 3, 3])`), `nil` when it was.
    public var skipped: String?

    /// A layer that was not measured.
    public init(layer: String, weight: String?, skipped: String) {
        self.layer = layer
        self.weight = weight
        self.skipped = skipped
    }

    /// A measured layer (the figures are filled in by the evaluator).
    init(layer: String, weight: String, dataset: String) {
        self.layer = layer
        self.weight = weight
        self.dataset = dataset
    }

    /// What the deployed layer gets: the SQNR with activations where they are quantized, else weights
    /// only; +∞ for a lossless layer, `nil` for a skipped one. The report ranks layers by it, worst first.
    public var deployedSQNR: Double? {
        guard skipped == nil else { return nil }
        let (sqnr, error) =
            activationFormat == nil ? (weightsOnlySQNR, weightsOnlyError) : (withActivationsSQNR, withActivationsError)
        if let sqnr { return sqnr }
        return error == 0 ? .infinity : nil
    }
}
