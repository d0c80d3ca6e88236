/// A copy of an HDF5 file into a new, self-contained file in which chosen datasets are left empty.
///
/// Everything of the source is kept: the file's creation properties, every group (empty ones too) with
/// its creation properties, every attribute of the root, the groups and the datasets (same name, type,
/// extent, creation properties and bytes: fixed and variable-length strings, string arrays, empty and
/// null extents), soft links as soft links, named datatypes, and every dataset's data byte for byte
/// (`H5Ocopy`: same type, extent, chunking and filters, the stored chunks copied as they are).
///
/// What is not copied as it is, so that the copy stands alone:
/// - objects behind external links are copied into the new file under the link's name;
/// - virtual datasets and datasets with external raw storage become contiguous datasets holding the
///   same elements;
/// - an object reached through two hard links is copied twice;
/// - an ``emptied`` dataset (a *placeholder*) keeps its name, type, extent, creation properties and
///   attributes, but no data is written: it occupies no file space (unless its layout is compact) until
///   someone writes it.
///
/// Object modification times are not recorded in what is created here.
public enum StructureCopy {
    /// Copies the file at `source` to a new file at `destination` (replacing any file there), leaving the
    /// datasets whose absolute paths are in `emptied` without data.
    ///
    /// - Returns: the absolute paths of the placeholders made, in the order they were made (a path of
    ///   `emptied` that names no dataset of the source is missing from it).
    /// - Throws: ``HDF5Error`` naming the file and object that could not be read or written; an attribute
    ///   or dataset holding HDF5 references is `.unsupportedType("reference")`.
    @discardableResult
    public static func copy(_ source: String, to destination: String, emptying emptied: Set<String>)
        throws(HDF5Error) -> [String]
    {
        let input = try File(source)
        let output = try CAPI.createFile(destination, like: input.handle.raw, truncate: true)
        var copier = Copier(source: source, destination: destination, emptied: emptied)
        try copier.copyGroup(input.handle.raw, to: output.raw, path: "/")
        try CAPI.flush(output.raw, Site(file: destination))
        return copier.placeholders
    }

    /// The recursive walk of one copy.
    private struct Copier {
        let source: String
        let destination: String
        let emptied: Set<String>
        var placeholders: [String] = []

        init(source: String, destination: String, emptied: Set<String>) {
            self.source = source
            self.destination = destination
            self.emptied = emptied
        }

        /// Copies the attributes of the group `group` to `target`, then each of its links.
        mutating func copyGroup(_ group: Int64, to target: Int64, path: String) throws(HDF5Error) {
            try CAPI.copyAttributes(from: group, to: target, Site(file: source, object: path))
            for link in try CAPI.links(group, Site(file: source, object: path)) {
                let child = path == "/" ? "/\(link.name)" : "\(path)/\(link.name)"
                let site = Site(file: source, object: child)
                let found: ObjectClass
                switch link.target {
                case .soft(let path):
                    try CAPI.createSoftLink(target: path, target, link.name, Site(file: destination, object: child))
                    continue
                case .object(let objectClass): found = objectClass
                case .external: found = try CAPI.objectClass(group, link.name, site)
                }
                switch found {
                case .group:
                    let from = try CAPI.openGroup(group, link.name, site)
                    let to = try CAPI.createGroup(
                        target, link.name, like: from.raw, Site(file: destination, object: child))
                    try copyGroup(from.raw, to: to.raw, path: child)
                case .dataset:
                    try copyDataset(group, link.name, to: target, path: child)
                case .namedDatatype:
                    try CAPI.copyObject(group, link.name, to: target, link.name, site)
                case .other:
                    throw HDF5Error(
                        kind: .unsupportedType("object"), file: source, object: child, operation: "copy",
                        cause: "an object of an unknown class cannot be copied")
                }
            }
        }

        /// Copies one dataset: a placeholder, its elements into plain storage, or the whole object.
        mutating func copyDataset(_ group: Int64, _ name: String, to target: Int64, path: String) throws(HDF5Error) {
            let site = Site(file: source, object: path)
            let dataset = try CAPI.openDataset(group, name, chunkCacheBytes: nil, site)
            let elsewhere = try CAPI.storesDataElsewhere(dataset.raw, site)
            guard emptied.contains(path) || elsewhere else {
                try CAPI.copyObject(group, name, to: target, name, site)
                return
            }
            let copy = try CAPI.createDataset(
                target, name, like: dataset.raw, plainStorage: elsewhere, Site(file: destination, object: path))
            if emptied.contains(path) {
                placeholders.append(path)
            } else {
                try CAPI.copyElements(from: dataset.raw, to: copy.raw, site)
            }
            try CAPI.copyAttributes(from: dataset.raw, to: copy.raw, site)
        }
    }
}
