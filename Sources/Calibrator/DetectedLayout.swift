/// The layout of a weights file: which one, why, and its tensors by dataset path.
public struct DetectedLayout: Sendable, Hashable {
    /// The layout.
    public var layout: ModelLayout
    /// How it was chosen (`configured`, or the evidence found: `layers/*/vars groups`).
    public var reason: String
    /// Every tensor the layout describes, by absolute dataset path (datasets it does not describe are
    /// named by the built-in rules).
    public var tensors: [String: LayoutTensor]

    /// Creates a layout description.
    public init(layout: ModelLayout, reason: String, tensors: [String: LayoutTensor] = [:]) {
        self.layout = layout
        self.reason = reason
        self.tensors = tensors
    }
}

extension DetectedLayout {
    /// What a calibration result and a manifest record of the layout: which, why, and the layer classes.
    public var summary: LayoutSummary {
        var classes: [String: String] = [:]
        for tensor in tensors.values { if let c = tensor.layerClass { classes[tensor.layer] = c } }
        return LayoutSummary(layout: layout, reason: reason, layerClasses: classes)
    }
}

/// The record of a weights file's layout in a calibration result.
public struct LayoutSummary: Codable, Sendable, Hashable {
    /// The layout.
    public var layout: ModelLayout
    /// How it was chosen.
    public var reason: String
    /// The framework's class of each layer (`conv1` → `Conv2D`), where the layout says it.
    public var layerClasses: [String: String]

    /// Creates a record.
    public init(layout: ModelLayout, reason: String, layerClasses: [String: String] = [:]) {
        self.layout = layout
        self.reason = reason
        self.layerClasses = layerClasses
    }
}
