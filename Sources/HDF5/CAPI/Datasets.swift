// CAPI datasets (H5D): open, create, read, write, and where the stored bytes are.
internal import CHDF5

extension CAPI {
    /// Opens a dataset with a chunk cache of `chunkCacheBytes` (HDF5's default when nil).
    static func openDataset(_ location: hid_t, _ name: String, chunkCacheBytes: Int?, _ site: Site)
        throws(HDF5Error) -> DatasetHandle
    {
        prepareThread()
        let dapl = try createPropertyList(ptq_H5P_DATASET_ACCESS(), site)
        if let bytes = chunkCacheBytes {
            // 521 hash slots (HDF5's default), full-chunk preemption weight 0.75 (HDF5's default).
            try check(H5Pset_chunk_cache(dapl.raw, 521, bytes, 0.75), "H5Pset_chunk_cache", site)
        }
        return DatasetHandle(raw: try identifier(H5Dopen2(location, name, dapl.raw), "H5Dopen2", site))
    }

    /// Creates a dataset (missing intermediate groups are created).
    static func createDataset(
        _ location: hid_t, _ name: String, type: borrowing DatatypeHandle, space: borrowing DataspaceHandle,
        creation: borrowing PropertyListHandle, _ site: Site
    ) throws(HDF5Error) -> DatasetHandle {
        prepareThread()
        let lcpl = try linkCreationList(site)
        let raw = H5Dcreate2(location, name, type.raw, space.raw, lcpl.raw, creation.raw, ptq_H5P_DEFAULT())
        return DatasetHandle(raw: try identifier(raw, "H5Dcreate2", site))
    }

    /// The dataset's file dataspace.
    static func datasetSpace(_ dataset: hid_t, _ site: Site) throws(HDF5Error) -> DataspaceHandle {
        prepareThread()
        return DataspaceHandle(raw: try identifier(H5Dget_space(dataset), "H5Dget_space", site))
    }

    /// The dataset's file datatype.
    static func datasetType(_ dataset: hid_t, _ site: Site) throws(HDF5Error) -> DatatypeHandle {
        prepareThread()
        return DatatypeHandle(raw: try identifier(H5Dget_type(dataset), "H5Dget_type", site))
    }

    /// The dataset's creation property list (layout, chunking, filters).
    static func datasetCreationList(_ dataset: hid_t, _ site: Site) throws(HDF5Error) -> PropertyListHandle {
        prepareThread()
        return PropertyListHandle(raw: try identifier(H5Dget_create_plist(dataset), "H5Dget_create_plist", site))
    }

    /// Bytes the dataset occupies in the file (after compression).
    static func storageSize(_ dataset: hid_t) -> Int {
        prepareThread()
        return Int(H5Dget_storage_size(dataset))
    }

    /// `H5Dread` of the selected elements into `buffer`.
    static func read(
        _ dataset: hid_t, memoryType: borrowing DatatypeHandle, memorySpace: borrowing DataspaceHandle,
        fileSpace: borrowing DataspaceHandle, into buffer: UnsafeMutableRawPointer, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(
            H5Dread(dataset, memoryType.raw, memorySpace.raw, fileSpace.raw, ptq_H5P_DEFAULT(), buffer),
            "H5Dread", site)
    }

    /// Whether the dataset's file datatype is identical to `memoryType` (`H5Tequal`): then its stored
    /// bytes are valid memory values without conversion.
    static func storesAsIs(_ dataset: hid_t, memoryType: borrowing DatatypeHandle, _ site: Site) throws(HDF5Error)
        -> Bool
    {
        let fileType = try datasetType(dataset, site)
        let result = H5Tequal(fileType.raw, memoryType.raw)
        try check(result, "H5Tequal", site)
        return result > 0
    }

    /// Bytes stored in the file for the chunk whose first element is at `offset`, or `nil` when the chunk
    /// has no storage (never written) (`H5Dget_chunk_info_by_coord`, libhdf5 ≥ 1.10.5).
    static func chunkStorageSize(_ dataset: hid_t, offset: UnsafePointer<hsize_t>, _ site: Site) throws(HDF5Error)
        -> Int?
    {
        try chunkLocation(dataset, offset: offset, site)?.bytes
    }

    /// The file address (bytes from the start of the file) and stored size of the chunk whose first
    /// element is at `offset`, or `nil` when the chunk has no storage (`H5Dget_chunk_info_by_coord`).
    static func chunkLocation(_ dataset: hid_t, offset: UnsafePointer<hsize_t>, _ site: Site) throws(HDF5Error)
        -> (address: Int, bytes: Int)?
    {
        prepareThread()
        var filterMask: UInt32 = 0
        var address: haddr_t = 0
        var bytes: hsize_t = 0
        try check(
            H5Dget_chunk_info_by_coord(dataset, offset, &filterMask, &address, &bytes), "H5Dget_chunk_info_by_coord",
            site)
        guard address != ptq_HADDR_UNDEF(), address <= UInt64(Int.max) else { return nil }
        return (Int(address), Int(bytes))
    }

    /// The file address of a contiguous dataset's data (`H5Dget_offset`, absolute from the start of the
    /// file), or `nil` when it has none (not allocated yet, external storage, other layouts).
    static func contiguousAddress(_ dataset: hid_t) -> Int? {
        prepareThread()
        let address = H5Dget_offset(dataset)
        guard address != ptq_HADDR_UNDEF(), address <= UInt64(Int.max) else {
            H5Eclear2(ptq_H5E_DEFAULT())
            return nil
        }
        return Int(address)
    }

    /// Copies the stored bytes of the chunk whose first element is at `offset` into `buffer`
    /// (`H5Dread_chunk`, exported by libhdf5 itself since 1.10.3): no filter is undone and no type is
    /// converted. Returns the filter mask (bit i set = filter i was skipped when the chunk was written).
    ///
    /// - Precondition: `buffer` holds at least the chunk's storage size (see ``chunkStorageSize``).
    static func readChunk(
        _ dataset: hid_t, offset: UnsafePointer<hsize_t>, into buffer: UnsafeMutableRawPointer, _ site: Site
    ) throws(HDF5Error) -> UInt32 {
        prepareThread()
        var filterMask: UInt32 = 0
        try check(H5Dread_chunk(dataset, ptq_H5P_DEFAULT(), offset, &filterMask, buffer), "H5Dread_chunk", site)
        return filterMask
    }

    /// `H5Dwrite` of `buffer` into the selected elements.
    static func write(
        _ dataset: hid_t, memoryType: borrowing DatatypeHandle, memorySpace: borrowing DataspaceHandle,
        fileSpace: borrowing DataspaceHandle, from buffer: UnsafeRawPointer, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(
            H5Dwrite(dataset, memoryType.raw, memorySpace.raw, fileSpace.raw, ptq_H5P_DEFAULT(), buffer),
            "H5Dwrite", site)
    }

    /// Changes the extent of a dataset created with a larger maximum shape.
    static func setExtent(_ dataset: hid_t, _ shape: [Int], _ site: Site) throws(HDF5Error) {
        prepareThread()
        let dims = shape.map { hsize_t($0) }
        try check(H5Dset_extent(dataset, dims), "H5Dset_extent", site)
    }
}
