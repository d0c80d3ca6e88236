public import PackageFormat

/// Why `ptq export` could not write its output. Every case names the file or layer and the cause.
public enum ExportError: Error, Sendable, CustomStringConvertible {
    /// Reading the package, or writing the output atomically, failed.
    case package(PackageError)
    /// A layer's setting cannot be expressed in the target format (exit 65): what the layer has and what
    /// the target lacks.
    case unsupported(layer: String, format: ExportFormat, reason: String)
    /// A quantized tensor's setting cannot be expressed in the target format (exit 65).
    case unsupportedTensor(dataset: String, format: ExportFormat, reason: String)
    /// The package holds nothing the format carries (for example no activation ranges).
    case nothingToExport(package: String, format: ExportFormat, reason: String)
    /// The `--names` file is missing or unreadable (exit 66).
    case namesFileUnreadable(path: String, reason: String)
    /// The `--names` file is not a flat map of names to names, or names what the package lacks (exit 65).
    case invalidNames(path: String, reason: String)
    /// An option's value is unusable (exit 64).
    case invalidOption(name: String, reason: String)

    /// One line naming the file or layer and the cause.
    public var description: String {
        switch self {
        case .package(let error): error.description
        case .unsupported(let layer, let format, let reason):
            "layer '\(layer)': cannot export to \(format.rawValue): \(reason)"
        case .unsupportedTensor(let dataset, let format, let reason):
            "tensor '\(dataset)': cannot export to \(format.rawValue): \(reason)"
        case .nothingToExport(let package, let format, let reason):
            "\(package): nothing to export to \(format.rawValue): \(reason)"
        case .namesFileUnreadable(let path, let reason): "\(path): cannot read the names map: \(reason)"
        case .invalidNames(let path, let reason): "\(path): \(reason)"
        case .invalidOption(let name, let reason): "\(name): \(reason)"
        }
    }
}
