public import QuantCore

/// One layer's bias: int32 codes with scale `s_input · s_weight` and zero point 0 when the input's scale
/// is known and the weight's scales line up with the bias, otherwise kept in float (with the reason).
public struct BiasCalibration: Codable, Sendable, Hashable {
    /// Dataset path in the weights file.
    public var dataset: String
    /// Shape of the bias.
    public var shape: [Int]
    /// Element type stored in the file (`"float32"`, `"float16"`, ...).
    public var elementType: String
    /// Whether the bias is quantized (to int32).
    public var quantized: Bool
    /// Why it is, or is not, quantized.
    public var reason: String
    /// Bit width of the codes (32) when quantized.
    public var bits: Int?
    /// Scales: one per output channel (`s_in · s_w[c]`) or one for the tensor (`s_in · s_w`); empty in float.
    public var scales: [Float]
    /// Zero point (0) when quantized.
    public var zeroPoint: Int32?
    /// Error of the int32 bias against the original, when quantized.
    public var metrics: ErrorMetrics?
    /// Elements clamped to the int32 range, when quantized.
    public var saturated: Int?
}
