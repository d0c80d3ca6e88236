extension Dataset {
    /// A writer of this dataset's stored bytes that bypasses libhdf5 (see ``DirectWriter`` for what it
    /// requires and the invariants its user keeps), or `nil` when the dataset does not qualify: not
    /// numeric, not contiguous, external storage, not created with ``DatasetOptions/allocatesEarly``
    /// (storage not allocated, or a fill value libhdf5 may write), storage of another size than its
    /// elements, or a file not open read-write with the sec2 driver, or with a user block. Callers then
    /// write through ``writeRows(startingAt:from:)``.
    ///
    /// Valid while this dataset is open; do not `H5Dwrite` or read the dataset through this open file
    /// once it has been written directly.
    public func directWriter() throws(HDF5Error) -> DirectWriter? {
        guard case .numeric = elementType else { return nil }
        let site = site()
        let creation = try CAPI.datasetCreationList(handle.raw, site)
        guard case .contiguous = CAPI.layout(creation), try CAPI.externalFileCount(creation, site) == 0,
            try CAPI.allocatesEarlyWithoutFill(creation, site),
            let address = CAPI.contiguousAddress(handle.raw),
            let descriptor = try CAPI.writableDescriptor(ofFileHolding: handle.raw, site)
        else { return nil }
        let type = try CAPI.datasetType(handle.raw, site)
        let (bytes, overflow) = shape.reduce(1, *).multipliedReportingOverflow(by: CAPI.typeSize(type))
        guard !overflow, CAPI.storageSize(handle.raw) == bytes else { return nil }
        return DirectWriter(
            byteCount: bytes, descriptor: descriptor, address: address, filePath: filePath, objectPath: objectPath)
    }
}
