/// What a tensor of the weights file is to its layer, as its layout says (manifest `layout_role`).
public enum TensorRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// A weight matrix or convolution kernel (Keras `kernel`, PyTorch `weight` of rank ≥ 2): quantized.
    case kernel
    /// A kernel's bias: int32 with scale `s_in · s_w` when the input's scale is known, else float.
    case bias
    /// A normalization's scale (`gamma`, LayerNorm / BatchNorm `weight`): kept in float.
    case normScale = "norm_scale"
    /// A normalization's shift (`beta`, LayerNorm / BatchNorm `bias`): kept in float.
    case normShift = "norm_shift"
    /// An embedding table: kept in float unless `embeddings: quantize` (then one scale per row).
    case embedding
    /// Anything else (moving statistics, buffers, 1-D tensors of unknown use): kept in float.
    case other
}
