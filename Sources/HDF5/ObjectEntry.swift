/// One link found by ``HDF5Container/walk()``: its absolute path and what it points to.
public struct ObjectEntry: Sendable, Hashable {
    /// What a link points to.
    public enum Kind: Sendable, Hashable {
        /// A group (hard link).
        case group
        /// A dataset (hard link).
        case dataset
        /// A committed (named) datatype.
        case namedDatatype
        /// A soft link with its target path; not followed by the walk (no cycles), open it to follow it.
        case softLink(target: String)
        /// An external link into another file: the file name and the object's path as the link stores
        /// them; not followed by the walk (``HDF5Container/linkedDatasetFile(_:)`` follows one).
        case externalLink(file: String, object: String)
        /// Any other object.
        case other
    }

    /// Absolute path of the link inside the file, for example `"/dense/dense/kernel:0"`.
    public var path: String
    /// What the link points to.
    public var kind: Kind

    /// Creates an entry.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}
