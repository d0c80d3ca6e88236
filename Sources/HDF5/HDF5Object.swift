/// An opaque libhdf5 object identifier owned by a ``File``, ``Group`` or ``Dataset``.
///
/// Valid only while its owner is alive; PTQKit code never needs its value.
public struct HDF5ID: Sendable, Hashable {
    let raw: Int64
}

/// An open HDF5 object (file root, group or dataset): it has attributes and a place in a file.
public protocol HDF5Object: ~Copyable {
    /// The path of the file the object lives in, as given when the file was opened.
    var filePath: String { get }
    /// The absolute path of the object inside the file (`"/"` for the root group).
    var objectPath: String { get }
    /// The identifier of the object, valid while `self` is alive.
    var objectID: HDF5ID { get }
}

extension HDF5Object where Self: ~Copyable {
    /// The error location of this object, or of `name` relative to it.
    func site(_ name: String? = nil) -> Site {
        Site(file: filePath, object: name.map { absolutePath($0) } ?? objectPath)
    }

    /// `name` made absolute: kept if it starts with `/`, otherwise joined to ``objectPath``.
    func absolutePath(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return objectPath.hasSuffix("/") ? objectPath + name : objectPath + "/" + name
    }
}
