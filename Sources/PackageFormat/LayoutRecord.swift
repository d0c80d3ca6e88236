/// The layout of the weights file a package was calibrated from (manifest `layout`): which framework's
/// conventions named its layers and gave its tensors' roles and output-channel axes.
public struct LayoutRecord: Codable, Sendable, Hashable {
    /// `keras`, `keras-legacy`, `torch` or `generic`.
    public var name: String
    /// How it was chosen: `configured (layout: …)` or the evidence detection found.
    public var reason: String

    /// Creates a record.
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case name
        case reason
    }
}
