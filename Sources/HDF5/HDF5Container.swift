/// An object that holds links to other objects: a ``File`` (its root group) or a ``Group``.
///
/// Paths given to these methods are relative to the container, or absolute when they start with `/`.
/// Components are separated by `/`; any other character (dots, colons as in Keras' `kernel:0`) is part
/// of a name.
public protocol HDF5Container: HDF5Object, ~Copyable {}

extension HDF5Container where Self: ~Copyable {
    /// Whether `path` names an existing object (a soft link counts when its target exists).
    public func contains(_ path: String) throws(HDF5Error) -> Bool {
        do {
            _ = try objectClass(at: path)
            return true
        } catch  where error.kind == .objectNotFound {
            return false
        }
    }

    /// The class of the object at `path`, checking each component so that a missing link (or a component
    /// that is not a group, or a dangling soft link) is reported as `.objectNotFound` naming the full path.
    func objectClass(at path: String) throws(HDF5Error) -> ObjectClass {
        let site = site(path)
        let absolute = path.hasPrefix("/")
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else { return .group }
        var prefix = absolute ? "" : nil as String?
        for (index, component) in components.enumerated() {
            let current = prefix.map { "\($0)/\(component)" } ?? String(component)
            guard try CAPI.linkExists(objectID.raw, current, site),
                try CAPI.objectExists(objectID.raw, current, site)
            else {
                throw HDF5Error(
                    kind: .objectNotFound, file: filePath, object: site.object, operation: "open",
                    cause: "no object '\(absolutePath(current))' in the file")
            }
            if index < components.count - 1, try CAPI.objectClass(objectID.raw, current, site) != .group {
                throw HDF5Error(
                    kind: .objectNotFound, file: filePath, object: site.object, operation: "open",
                    cause: "'\(absolutePath(current))' is not a group")
            }
            prefix = current
        }
        return try CAPI.objectClass(objectID.raw, path, site)
    }

    /// Opens the group at `path`.
    public func openGroup(_ path: String) throws(HDF5Error) -> Group {
        let found = try objectClass(at: path)
        guard found == .group else {
            throw HDF5Error(
                kind: .wrongObjectType(expected: "group", found: "\(found)"), file: filePath,
                object: absolutePath(path), operation: "H5Gopen2")
        }
        let handle = try CAPI.openGroup(objectID.raw, path, site(path))
        return Group(handle: handle, filePath: filePath, objectPath: absolutePath(path))
    }

    /// Opens the dataset at `path`, optionally with a chunk cache of `chunkCacheBytes` (libhdf5's default
    /// is 1 MiB; reads that are not chunk-aligned want at least one row of chunks). A virtual dataset opens
    /// only when all its sources are present (``Dataset/checkVirtualSources()``).
    public func openDataset(_ path: String, chunkCacheBytes: Int? = nil) throws(HDF5Error) -> Dataset {
        let found = try objectClass(at: path)
        guard found == .dataset else {
            throw HDF5Error(
                kind: .wrongObjectType(expected: "dataset", found: "\(found)"), file: filePath,
                object: absolutePath(path), operation: "H5Dopen2")
        }
        let site = site(path)
        let handle = try CAPI.openDataset(objectID.raw, path, chunkCacheBytes: chunkCacheBytes, site)
        let dataset = try Dataset.wrap(handle, filePath: filePath, objectPath: absolutePath(path))
        try dataset.checkVirtualSources()
        return dataset
    }

    /// Creates a group at `path`, creating missing intermediate groups.
    public func createGroup(_ path: String) throws(HDF5Error) -> Group {
        let handle = try CAPI.createGroup(objectID.raw, path, site(path))
        return Group(handle: handle, filePath: filePath, objectPath: absolutePath(path))
    }

    /// Creates a dataset of `type` and `shape` at `path` (missing groups are created), stored as `options`
    /// says. Its elements start as zero.
    public func createDataset(
        _ path: String, type: NumericType, shape: [Int], options: DatasetOptions = DatasetOptions()
    ) throws(HDF5Error) -> Dataset {
        let site = site(path)
        func invalid(_ reason: String) -> HDF5Error {
            HDF5Error(kind: .invalidArgument(reason), file: filePath, object: site.object, operation: "createDataset")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw invalid("negative extent in shape \(shape)") }
        let creation = try CAPI.newDatasetCreationList(site)
        var maxShape: [Int?]? = nil
        if options.needsChunks {
            guard !shape.isEmpty else { throw invalid("a scalar dataset cannot be chunked or compressed") }
            let chunk = options.resolvedChunkShape(for: shape, elementBytes: type.byteCount)
            guard chunk.count == shape.count, chunk.allSatisfy({ $0 > 0 }) else {
                throw invalid("chunk shape \(chunk) does not fit dataset shape \(shape)")
            }
            if let level = options.deflateLevel, !(0...9).contains(level) {
                throw invalid("deflate level \(level) is not in 0...9")
            }
            try CAPI.setChunking(
                creation, chunk: chunk, shuffle: options.shuffle, deflateLevel: options.deflateLevel, site)
            if options.growable { maxShape = [nil] + shape.dropFirst().map { $0 } }
        }
        if options.allocatesEarly { try CAPI.setEarlyAllocation(creation, site) }
        let space = try CAPI.createSpace(shape, maxShape: maxShape, site)
        let fileType = try CAPI.makeType(type, memory: false, site)
        let handle = try CAPI.createDataset(objectID.raw, path, type: fileType, space: space, creation: creation, site)
        return try Dataset.wrap(handle, filePath: filePath, objectPath: absolutePath(path))
    }

    /// Creates a soft link at `path` pointing at `target` (an absolute or relative path in the file; it
    /// need not exist yet).
    public func createSoftLink(_ path: String, to target: String) throws(HDF5Error) {
        try CAPI.createSoftLink(target: target, objectID.raw, path, site(path))
    }

    /// Every link below this container, depth first in name order (each group's links right after the
    /// group). Soft and external links are listed with their targets and not followed; hard links to one
    /// object twice are listed under both names.
    public func walk() throws(HDF5Error) -> [ObjectEntry] {
        try CAPI.visitLinks(objectID.raw, site()).map { (link) throws(HDF5Error) in
            let kind: ObjectEntry.Kind
            switch link.target {
            case .object(.group): kind = .group
            case .object(.dataset): kind = .dataset
            case .object(.namedDatatype): kind = .namedDatatype
            case .object(.other): kind = .other
            case .soft(let target): kind = .softLink(target: target)
            case .external:
                let target = try CAPI.externalLinkTarget(objectID.raw, link.name, site(link.name))
                kind = .externalLink(file: target.file, object: target.object)
            }
            return ObjectEntry(path: absolutePath(link.name), kind: kind)
        }
    }
}
