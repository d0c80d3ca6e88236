/// One tensor of the weights file as its layout describes it.
public struct LayoutTensor: Codable, Sendable, Hashable {
    /// Dataset path in the weights file (absolute).
    public var dataset: String
    /// The layer it belongs to, named as the framework names it (`conv1`, `encoder.layer.0.output.dense`).
    public var layer: String
    /// What it is to the layer.
    public var role: TensorRole
    /// The layer's slot it fills: `weight` (kernel, norm scale, embedding), `bias` (bias, norm shift), or
    /// `nil` for a tensor stored beside the layer's (moving statistics, buffers).
    public var slot: DatasetRole?
    /// The framework's layer class (`Conv2D`, `Dense`), when the layout says it.
    public var layerClass: String?
    /// The framework's name of the tensor (`conv1/kernel`, `encoder.layer.0.output.dense.weight`).
    public var sourceName: String
    /// Axis of the output channels (per-channel parameters) of a kernel or an embedding's rows.
    public var outputAxis: Int?
    /// Axis of the input features (the reduction axis; per-group parameters run along it).
    public var inputAxis: Int?
    /// Why the axes are what they are, when that is not the obvious (depthwise kernels).
    public var axisNote: String?

    /// Creates a description.
    public init(
        dataset: String, layer: String, role: TensorRole, slot: DatasetRole?, layerClass: String? = nil,
        sourceName: String, outputAxis: Int? = nil, inputAxis: Int? = nil, axisNote: String? = nil
    ) {
        self.dataset = dataset
        self.layer = layer
        self.role = role
        self.slot = slot
        self.layerClass = layerClass
        self.sourceName = sourceName
        self.outputAxis = outputAxis
        self.inputAxis = inputAxis
        self.axisNote = axisNote
    }
}
