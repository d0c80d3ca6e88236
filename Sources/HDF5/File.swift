/// An open HDF5 file. Closed (`H5Fclose`) when the value goes away; it is noncopyable so that exactly one
/// owner closes it. Objects opened from it keep the file open until they are closed too.
///
/// ```swift
/// let file = try File("weights.h5")
/// for entry in try file.walk() where entry.kind == .dataset {
///     let dataset = try file.openDataset(entry.path)
///     print(entry.path, dataset.shape, dataset.elementType)
/// }
/// ```
public struct File: ~Copyable, HDF5Container, Sendable {
    /// How to open a file.
    public enum Mode: Sendable, Hashable {
        /// Open an existing file for reading.
        case readOnly
        /// Open an existing file for reading and writing.
        case readWrite
        /// Create a new file; fail if one exists.
        case create
        /// Create a new file, replacing any existing one.
        case truncate
    }

    let handle: FileHandle
    /// The path the file was opened with.
    public let filePath: String

    /// `"/"`: a file is its root group.
    public var objectPath: String { "/" }
    /// The file identifier.
    public var objectID: HDF5ID { HDF5ID(raw: handle.raw) }

    /// Opens or creates the file at `path`.
    ///
    /// Opening distinguishes a missing file (`.fileNotFound`), a file without the HDF5 signature, empty
    /// files included (`.notHDF5`), and a file with the signature that cannot be opened, such as a
    /// truncated one (`.corruptFile`).
    public init(_ path: String, mode: Mode = .readOnly) throws(HDF5Error) {
        filePath = path
        switch mode {
        case .readOnly, .readWrite:
            let site = Site(file: path)
            guard CAPI.fileExists(path) else {
                throw HDF5Error(kind: .fileNotFound, file: path, operation: "open")
            }
            try InputFileKind.requireSeekable(path)
            guard try CAPI.isHDF5(path, site) else {
                throw HDF5Error(kind: .notHDF5, file: path, operation: "H5Fis_hdf5")
            }
            handle = try CAPI.openFile(path, writable: mode == .readWrite)
        case .create, .truncate:
            handle = try CAPI.createFile(path, truncate: mode == .truncate)
        }
    }

    /// Writes buffered data and metadata to disk (closing the file does this too).
    public func flush() throws(HDF5Error) {
        try CAPI.flush(handle.raw, Site(file: filePath))
    }
}
