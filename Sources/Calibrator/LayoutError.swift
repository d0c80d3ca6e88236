/// A weights file whose structure contradicts its layout (a damaged Keras file): the file, the HDF5
/// path and what is wrong. Exit 65.
public struct LayoutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The weights file.
    public var file: String
    /// The group, dataset or attribute path at fault.
    public var path: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(file: String, path: String, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    /// `file:path: reason`.
    public var description: String { "\(file):\(path): \(reason)" }
}
