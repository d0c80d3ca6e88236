/// An open HDF5 group, closed (`H5Gclose`) when the value goes away.
public struct Group: ~Copyable, HDF5Container, Sendable {
    let handle: GroupHandle
    /// The path of the file the group lives in.
    public let filePath: String
    /// The absolute path of the group inside the file.
    public let objectPath: String
    /// The group identifier.
    public var objectID: HDF5ID { HDF5ID(raw: handle.raw) }

    init(handle: consuming GroupHandle, filePath: String, objectPath: String) {
        self.handle = handle
        self.filePath = filePath
        self.objectPath = objectPath
    }
}
