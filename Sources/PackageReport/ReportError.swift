public import PackageFormat

/// Why `ptq report` could not write a report.
public enum ReportError: Error, Sendable, CustomStringConvertible {
    /// The package could not be read (missing, damaged, unreadable `tensors.h5`).
    case package(PackageError)
    /// The evaluation file does not exist or cannot be read (exit 66).
    case evaluationUnreadable(path: String, reason: String)
    /// The evaluation file is not a `ptqkit-evaluation` document of version 1, or one of its values is
    /// of the wrong kind (exit 65).
    case invalidEvaluation(path: String, reason: String)

    /// One line naming the file and what is wrong.
    public var description: String {
        switch self {
        case .package(let error): "\(error)"
        case .evaluationUnreadable(let path, let reason): "\(path): cannot read the evaluation: \(reason)"
        case .invalidEvaluation(let path, let reason): "\(path): not a usable evaluation: \(reason)"
        }
    }
}
