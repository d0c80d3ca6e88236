public import QuantCore

/// A weight quantized by one of this module's methods, in the stored tensor's orientation: the codes and
/// parameters a package stores, and the per-input-feature scale vector s of a method that quantizes W·diag(s)
/// (AWQ, SmoothQuant).
///
/// The weight it stands for is Ŵ = dequantize(codes)·diag(s)⁻¹ (s along the input features), or the dequantized
/// codes when ``inputScales`` is nil.
public struct RoundedWeight: Sendable, Equatable {
    /// One code per element, row-major in the stored shape.
    public var codes: [Int32]
    /// The scheme's parameters on the stored shape and granularity (exactly what each block was rounded with).
    public var parameters: QuantizationParameters
    /// s per input feature (Float32, as recorded) when the codes quantize W·diag(s); nil otherwise.
    public var inputScales: [Float]?
    /// The range each parameter was fitted to (row-major over the parameter shape), lower ends.
    public var rangeMins: [Float]
    /// Upper ends of the fitted ranges.
    public var rangeMaxs: [Float]

    /// Creates a result from its parts.
    public init(
        codes: [Int32], parameters: QuantizationParameters, inputScales: [Float]? = nil, rangeMins: [Float],
        rangeMaxs: [Float]
    ) {
        self.codes = codes
        self.parameters = parameters
        self.inputScales = inputScales
        self.rangeMins = rangeMins
        self.rangeMaxs = rangeMaxs
    }

    /// Ŵ in W's `[out, in]` orientation, Double: `s·(q − z)`, divided by ``inputScales`` when present.
    public func effectiveWeight(_ weight: WeightMatrix) throws(WeightRoundingError) -> [Double] {
        let restored: [Float]
        do {
            restored = try parameters.dequantize(codes)
        } catch {
            throw .quantization("\(error)")
        }
        var w = [Double](repeating: 0, count: restored.count)
        let n = weight.inputs
        for o in 0..<weight.outputs {
            for i in 0..<n {
                let k = weight.inputAxis == 1 ? o * n + i : i * weight.outputs + o
                let v = Double(restored[k])
                w[o * n + i] = inputScales.map { v / Double($0[i]) } ?? v
            }
        }
        return w
    }
}
