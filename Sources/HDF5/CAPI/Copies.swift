// CAPI copies between files: `H5Ocopy` of whole objects, and the clones the copy of a file's structure needs
// where `H5Ocopy` would copy too much: a group's or dataset's attributes (H5A, raw, in their own types), a
// group with its creation properties (H5G), a dataset's type, extent and creation properties without its
// data (H5D), and the links of one group in their stored order (H5L).
internal import CHDF5

extension CAPI {
    /// Copies the object at `sourceName` of `source` (links followed, external ones too) to `targetName` in
    /// `target`, which may be in another file (`H5Ocopy`: data, attributes, creation properties; a group
    /// with everything below it).
    static func copyObject(
        _ source: hid_t, _ sourceName: String, to target: hid_t, _ targetName: String, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(
            H5Ocopy(source, sourceName, target, targetName, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT()), "H5Ocopy", site)
    }

    /// The links of the group `location` (a group or a file's root) in creation order when the group
    /// tracks it, else in name order (`H5Literate`; soft links with their targets, external ones unresolved).
    static func links(_ location: hid_t, _ site: Site) throws(HDF5Error) -> [VisitedLink] {
        let order = try tracksLinkCreationOrder(location, site) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        return try collectLinks(location, recursive: false, order: order, site)
    }

    /// The creation property list of a group, or of a file's root group (the file creation list).
    static func groupCreationList(_ location: hid_t, _ site: Site) throws(HDF5Error) -> PropertyListHandle {
        prepareThread()
        if H5Iget_type(location) == H5I_FILE {
            return PropertyListHandle(raw: try identifier(H5Fget_create_plist(location), "H5Fget_create_plist", site))
        }
        return PropertyListHandle(raw: try identifier(H5Gget_create_plist(location), "H5Gget_create_plist", site))
    }

    /// Whether the group `location` records the creation order of its links (`H5Pget_link_creation_order`).
    private static func tracksLinkCreationOrder(_ location: hid_t, _ site: Site) throws(HDF5Error) -> Bool {
        let list = try groupCreationList(location, site)
        var flags: UInt32 = 0
        try check(H5Pget_link_creation_order(list.raw, &flags), "H5Pget_link_creation_order", site)
        return flags & UInt32(H5P_CRT_ORDER_TRACKED) != 0
    }

    /// Whether the object `location` records the creation order of its attributes.
    private static func tracksAttributeCreationOrder(_ location: hid_t, _ site: Site) throws(HDF5Error) -> Bool {
        let list =
            H5Iget_type(location) == H5I_DATASET
            ? try datasetCreationList(location, site) : try groupCreationList(location, site)
        var flags: UInt32 = 0
        try check(H5Pget_attr_creation_order(list.raw, &flags), "H5Pget_attr_creation_order", site)
        return flags & UInt32(H5P_CRT_ORDER_TRACKED) != 0
    }

    /// Creates the group `name` in `target` with the creation properties of the group `template`
    /// (link and attribute order tracking, link storage); object times are not recorded.
    static func createGroup(
        _ target: hid_t, _ name: String, like template: hid_t, _ site: Site
    ) throws(HDF5Error) -> GroupHandle {
        prepareThread()
        let list = try groupCreationList(template, site)
        try check(H5Pset_obj_track_times(list.raw, false), "H5Pset_obj_track_times", site)
        let raw = H5Gcreate2(target, name, ptq_H5P_DEFAULT(), list.raw, ptq_H5P_DEFAULT())
        return GroupHandle(raw: try identifier(raw, "H5Gcreate2", site))
    }

    /// Creates the dataset `name` in `target` with the element type (a transient copy, so a committed type
    /// stays behind), extent and (chunked only) maximum extent of `template`, and its creation properties (layout,
    /// chunking, filters, fill value) unless `plainStorage`, which asks for HDF5's default contiguous
    /// layout (for a virtual dataset or one with external raw storage, whose properties name other files).
    /// No data is written: a chunked or contiguous dataset occupies no file space until it is.
    static func createDataset(
        _ target: hid_t, _ name: String, like template: hid_t, plainStorage: Bool, _ site: Site
    ) throws(HDF5Error) -> DatasetHandle {
        prepareThread()
        let stored = try datasetType(template, site)
        let type = DatatypeHandle(raw: try identifier(H5Tcopy(stored.raw), "H5Tcopy", site))
        let original = try datasetSpace(template, site)
        let creation = plainStorage ? try newDatasetCreationList(site) : try datasetCreationList(template, site)
        // Only a chunked dataset can grow: any other keeps its extent as its maximum (a damaged file may
        // declare a larger one, which libhdf5 reads but will not create).
        let space: DataspaceHandle
        if layout(creation) != .chunked, H5Sget_simple_extent_type(original.raw) == H5S_SIMPLE {
            space = try createSpace(try extent(original, site).shape, site)
        } else {
            space = original
        }
        try check(H5Pset_obj_track_times(creation.raw, false), "H5Pset_obj_track_times", site)
        let raw = H5Dcreate2(target, name, type.raw, space.raw, ptq_H5P_DEFAULT(), creation.raw, ptq_H5P_DEFAULT())
        return DatasetHandle(raw: try identifier(raw, "H5Dcreate2", site))
    }

    /// Whether a dataset's raw data lives outside its file's own storage: a virtual dataset, or one with
    /// external raw storage files.
    static func storesDataElsewhere(_ dataset: hid_t, _ site: Site) throws(HDF5Error) -> Bool {
        let creation = try datasetCreationList(dataset, site)
        if layout(creation) == .virtual { return true }
        return try externalFileCount(creation, site) > 0
    }

    /// Copies every element of `source` to `target` (same extent) in the source's own type: read whole,
    /// written whole, variable-length data reclaimed.
    static func copyElements(from source: hid_t, to target: hid_t, _ site: Site) throws(HDF5Error) {
        prepareThread()
        let stored = try datasetType(source, site)
        let type = DatatypeHandle(raw: try identifier(H5Tcopy(stored.raw), "H5Tcopy", site))
        let space = try datasetSpace(source, site)
        let count = Int(H5Sget_simple_extent_npoints(space.raw))
        guard count > 0 else { return }
        try refuseReferences(type, site)
        var bytes = [UInt8](repeating: 0, count: count * H5Tget_size(type.raw))
        try typedThrows {
            try bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                let all = ptq_H5S_ALL()
                try check(H5Dread(source, type.raw, all, all, ptq_H5P_DEFAULT(), base), "H5Dread", site)
                defer { reclaim(type, space, base) }
                try check(H5Dwrite(target, type.raw, all, all, ptq_H5P_DEFAULT(), base), "H5Dwrite", site)
            }
        }
    }

    /// Copies every attribute of `source` to `target` (either may be a file, a group or a dataset): same
    /// name, type, extent, creation properties and bytes, in creation order when the source tracks it.
    ///
    /// - Throws: `.unsupportedType("reference")` for an attribute holding HDF5 references (their values
    ///   are addresses in the source file and mean nothing in another).
    static func copyAttributes(from source: hid_t, to target: hid_t, _ site: Site) throws(HDF5Error) {
        let ordered = try tracksAttributeCreationOrder(source, site)
        let names = try attributeNames(source, byCreationOrder: ordered, site)
        for name in names {
            try copyAttribute(name, from: source, to: target, site.at("\(site.object ?? "/")@\(name)"))
        }
    }

    /// Copies one attribute (see ``copyAttributes(from:to:_:)``).
    private static func copyAttribute(
        _ name: String, from source: hid_t, to target: hid_t, _ site: Site
    ) throws(HDF5Error) {
        let attribute = try openAttribute(source, name, site)
        let type = try attributeType(attribute, site)
        try refuseReferences(type, site)
        let space = try attributeSpace(attribute, site)
        let creation = PropertyListHandle(
            raw: try identifier(H5Aget_create_plist(attribute.raw), "H5Aget_create_plist", site))
        let copy = AttributeHandle(
            raw: try identifier(
                H5Acreate2(target, name, type.raw, space.raw, creation.raw, ptq_H5P_DEFAULT()), "H5Acreate2", site))
        let count = Int(H5Sget_simple_extent_npoints(space.raw))
        guard count > 0 else { return }  // empty and null extents: nothing to copy
        var bytes = [UInt8](repeating: 0, count: count * H5Tget_size(type.raw))
        try typedThrows {
            try bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try check(H5Aread(attribute.raw, type.raw, base), "H5Aread", site)
                defer { reclaim(type, space, base) }
                try check(H5Awrite(copy.raw, type.raw, base), "H5Awrite", site)
            }
        }
    }

    /// Throws `.unsupportedType("reference")` when `type` holds HDF5 references anywhere.
    private static func refuseReferences(_ type: borrowing DatatypeHandle, _ site: Site) throws(HDF5Error) {
        if H5Tdetect_class(type.raw, H5T_REFERENCE) > 0 {
            throw HDF5Error(
                kind: .unsupportedType("reference"), file: site.file, object: site.object, operation: "copy",
                cause: "it holds HDF5 references, which cannot be copied into another file")
        }
    }

    /// Frees the variable-length data libhdf5 allocated while reading `buffer` (nothing for fixed types).
    private static func reclaim(
        _ type: borrowing DatatypeHandle, _ space: borrowing DataspaceHandle, _ buffer: UnsafeMutableRawPointer
    ) {
        if H5Tdetect_class(type.raw, H5T_VLEN) > 0 || H5Tis_variable_str(type.raw) > 0 {
            _ = H5Dvlen_reclaim(type.raw, space.raw, ptq_H5P_DEFAULT(), buffer)
        }
        H5Eclear2(ptq_H5E_DEFAULT())
    }
}
