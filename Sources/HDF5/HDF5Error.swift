/// A failure of the HDF5 layer: which file, which object inside it, what went wrong and why.
///
/// Every failing libhdf5 call is turned into one of these: HDF5's own error printing is silenced and its
/// error stack (walked with `H5Ewalk2`) is kept in ``stack``, outermost frame first. ``kind`` classifies
/// the failure so that callers (and `ptq`'s exit codes) can react without parsing text.
public struct HDF5Error: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
        /// No file exists at the given path (or it cannot be accessed).
        case fileNotFound
        /// The file exists but is not HDF5 (no signature; this includes empty files).
        case notHDF5
        /// The file has an HDF5 signature but cannot be read: truncated or damaged.
        case corruptFile
        /// The file uses a format feature this libhdf5 cannot read (for example h5py's `libver='latest'`).
        case unsupportedFormat
        /// No object exists at the path inside the file (or a soft link dangles).
        case objectNotFound
        /// An object exists at the path but is not of the expected kind (for example a group, not a dataset).
        case wrongObjectType(expected: String, found: String)
        /// The dataset's or attribute's element type is not a supported numeric type; the payload names it
        /// (`"string"`, `"compound"`, `"enum"`, `"bool"`, ...).
        case unsupportedType(String)
        /// The caller asked for something impossible: rows out of range, a buffer too small, bad shapes.
        case invalidArgument(String)
        /// Values that cannot be represented in the requested memory type (a float64 element beyond
        /// float32's range, which libhdf5 would turn into ±Inf); the cause says how many and one of them.
        case outOfRange
        /// Any other failure reported by libhdf5.
        case library
    }

    /// The classification of the failure.
    public var kind: Kind
    /// The HDF5 file's path as given by the caller.
    public var file: String
    /// The absolute path of the object inside the file (`"/dense/dense/kernel:0"`), or `nil` for the file itself.
    public var object: String?
    /// The operation that failed: a libhdf5 function (`"H5Dopen2"`) or a wrapper step.
    public var operation: String
    /// The most specific reason known, in words.
    public var cause: String
    /// HDF5's error stack, outermost frame (the API call) first; empty when the wrapper detected the problem.
    public var stack: [String]

    /// Creates an error; ``cause`` defaults to a description of ``kind`` when empty.
    public init(
        kind: Kind, file: String, object: String? = nil, operation: String, cause: String = "", stack: [String] = []
    ) {
        self.kind = kind
        self.file = file
        self.object = object
        self.operation = operation
        self.cause = cause.isEmpty ? kind.summary : cause
        self.stack = stack
    }

    /// One line: `file:object: operation failed: cause`, the operation in words (``operationInWords``).
    public var description: String {
        let location = object.map { "\(file):\($0)" } ?? file
        // A missing file reads as in every other `ptq` message.
        if case .fileNotFound = kind, object == nil, cause == kind.summary {
            return "\(file): no such file or directory"
        }
        return "\(location): \(operationInWords) failed: \(cause)"
    }
}

extension HDF5Error.Kind {
    /// A stable identifier of the kind for scripts: `fileNotFound`, `notHDF5`, `corruptFile`,
    /// `unsupportedFormat`, `objectNotFound`, `wrongObjectType`, `unsupportedType`, `invalidArgument`,
    /// `outOfRange`, `library`.
    public var name: String {
        switch self {
        case .fileNotFound: "fileNotFound"
        case .notHDF5: "notHDF5"
        case .corruptFile: "corruptFile"
        case .unsupportedFormat: "unsupportedFormat"
        case .objectNotFound: "objectNotFound"
        case .wrongObjectType: "wrongObjectType"
        case .unsupportedType: "unsupportedType"
        case .invalidArgument: "invalidArgument"
        case .outOfRange: "outOfRange"
        case .library: "library"
        }
    }

    /// A short human description of the kind.
    public var summary: String {
        switch self {
        case .fileNotFound: "no such file"
        case .notHDF5: "not an HDF5 file (no HDF5 signature)"
        case .corruptFile: "the HDF5 file is truncated or damaged"
        case .unsupportedFormat: "the file uses an HDF5 format feature this libhdf5 cannot read"
        case .objectNotFound: "no such object in the file"
        case .wrongObjectType(let expected, let found): "expected a \(expected), found a \(found)"
        case .unsupportedType(let type): "unsupported element type: \(type)"
        case .invalidArgument(let reason): reason
        case .outOfRange: "values out of range for the requested type"
        case .library: "libhdf5 reported an error"
        }
    }
}

/// Runs `body` (typically a closure handed to a rethrowing standard-library API such as
/// `withUnsafeBytes`, which loses the error type) and rethrows its error as the `HDF5Error` it is.
@inline(__always)
func typedThrows<R>(_ body: () throws -> R) throws(HDF5Error) -> R {
    do {
        return try body()
    } catch let error as HDF5Error {
        throw error
    } catch {
        throw HDF5Error(kind: .library, file: "", operation: "internal", cause: "\(error)")
    }
}
