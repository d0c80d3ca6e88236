extension HDF5Container where Self: ~Copyable {
    /// Follows the external link at `path` (found by ``walk()`` as ``ObjectEntry/Kind/externalLink(file:object:)``)
    /// and returns the path of the file holding its dataset, so that file can be fingerprinted: the link's
    /// file name beside this file's path as given when that is the file libhdf5 opened, else the name
    /// libhdf5 opened (its resolution against this file's directory or the working directory).
    /// The dataset itself is then opened through the link like any other (``openDataset(_:chunkCacheBytes:)``).
    ///
    /// - Throws: `.objectNotFound` when the link dangles (its file or the object in it is missing), naming
    ///   this file, the link's path and the missing target; `.wrongObjectType` when the target is not a
    ///   dataset (external links to groups are not followed).
    public func linkedDatasetFile(_ path: String) throws(HDF5Error) -> String {
        let site = site(path)
        let target = try CAPI.externalLinkTarget(objectID.raw, path, site)
        let found: ObjectClass
        do {
            found = try objectClass(at: path)
        } catch {
            let why = error.kind == .objectNotFound ? "its file or the object in it is missing" : error.cause
            throw HDF5Error(
                kind: .objectNotFound, file: filePath, object: absolutePath(path), operation: "follow external link",
                cause: "the external link to '\(target.file):\(target.object)' dangles: \(why)")
        }
        guard found == .dataset else {
            throw HDF5Error(
                kind: .wrongObjectType(expected: "dataset", found: "\(found)"), file: filePath,
                object: absolutePath(path), operation: "follow external link",
                cause: "the external link to '\(target.file):\(target.object)' leads to a \(found); "
                    + "only external links to datasets are followed")
        }
        let dataset = try openDataset(path)
        let opened = try CAPI.fileName(of: dataset.objectID.raw, site)
        // Recorded as the user would name it: beside this file as given, when that is the file opened.
        let directory = filePath.lastIndex(of: "/").map { String(filePath[...$0]) } ?? ""
        let beside = target.file.hasPrefix("/") ? target.file : directory + target.file
        return CAPI.isSameFile(beside, opened) ? beside : opened
    }
}
