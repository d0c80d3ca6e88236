// CAPI attributes (H5A).
internal import CHDF5

extension CAPI {
    /// Whether `object` has an attribute `name`.
    static func attributeExists(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Aexists(object, name)
        try check(result, "H5Aexists", site)
        return result > 0
    }

    /// Opens the attribute `name` of `object`.
    static func openAttribute(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> AttributeHandle {
        prepareThread()
        return AttributeHandle(raw: try identifier(H5Aopen(object, name, ptq_H5P_DEFAULT()), "H5Aopen", site))
    }

    /// Creates the attribute `name` on `object`.
    static func createAttribute(
        _ object: hid_t, _ name: String, type: borrowing DatatypeHandle, space: borrowing DataspaceHandle,
        _ site: Site
    ) throws(HDF5Error) -> AttributeHandle {
        prepareThread()
        let raw = H5Acreate2(object, name, type.raw, space.raw, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT())
        return AttributeHandle(raw: try identifier(raw, "H5Acreate2", site))
    }

    /// Deletes the attribute `name` of `object`.
    static func deleteAttribute(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) {
        prepareThread()
        try check(H5Adelete(object, name), "H5Adelete", site)
    }

    /// The attribute's dataspace.
    static func attributeSpace(_ attribute: borrowing AttributeHandle, _ site: Site) throws(HDF5Error)
        -> DataspaceHandle
    {
        prepareThread()
        return DataspaceHandle(raw: try identifier(H5Aget_space(attribute.raw), "H5Aget_space", site))
    }

    /// The attribute's file datatype.
    static func attributeType(_ attribute: borrowing AttributeHandle, _ site: Site) throws(HDF5Error)
        -> DatatypeHandle
    {
        prepareThread()
        return DatatypeHandle(raw: try identifier(H5Aget_type(attribute.raw), "H5Aget_type", site))
    }

    /// Reads the whole attribute into `buffer` as `memoryType`.
    static func readAttribute(
        _ attribute: borrowing AttributeHandle, memoryType: borrowing DatatypeHandle,
        into buffer: UnsafeMutableRawPointer, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(H5Aread(attribute.raw, memoryType.raw, buffer), "H5Aread", site)
    }

    /// Writes the whole attribute from `buffer`, laid out as `memoryType`.
    static func writeAttribute(
        _ attribute: borrowing AttributeHandle, memoryType: borrowing DatatypeHandle, from buffer: UnsafeRawPointer,
        _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(H5Awrite(attribute.raw, memoryType.raw, buffer), "H5Awrite", site)
    }

    /// Names of all attributes of `object`, in name order (in creation order with `byCreationOrder`, which
    /// needs an object that tracks it).
    static func attributeNames(_ object: hid_t, byCreationOrder: Bool = false, _ site: Site) throws(HDF5Error)
        -> [String]
    {
        prepareThread()
        var names: [String] = []
        let collector: H5A_operator2_t = { _, name, _, data in
            guard let name, let data else { return -1 }
            data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
            return 0
        }
        let status = withUnsafeMutablePointer(to: &names) { pointer in
            H5Aiterate2(
                object, byCreationOrder ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME, H5_ITER_INC, nil, collector, pointer)
        }
        try check(status, "H5Aiterate2", site)
        return names
    }
}
