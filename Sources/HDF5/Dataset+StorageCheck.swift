extension Dataset {
    /// Whether this dataset's values can be read as Float32 straight from the file's bytes and every one of
    /// those bytes lies within the first `fileBytes` bytes of the file, checked from its metadata and chunk
    /// index alone (no value is read): it has a ``DirectStorage`` for Float (no filter, stored as Float32,
    /// chunks of whole rows); a chunked dataset's chunk is no larger than a fixed maximum extent (which
    /// `H5Pset_chunk` refuses, and which made `H5Dread` copy past its buffer, docs/libhdf5-crashers.md), and
    /// every chunk is allocated, stored in exactly `chunk rows × row bytes` and ends within the file
    /// (`H5Dget_chunk_info_by_coord`, one call per chunk); a contiguous dataset's data ends within the file.
    ///
    /// `false` means only "not shown by the index": such a dataset (filtered, converted, sparse, or damaged)
    /// must be read to be vouched for.
    public func storageLiesInFile(fileBytes: Int) throws(HDF5Error) -> Bool {
        guard let storage = try directStorage(as: Float.self) else { return false }
        let rowBytes = storage.rowBytes
        switch storage.layout {
        case .contiguous(let address):
            let (bytes, overflow) = rowCount.multipliedReportingOverflow(by: rowBytes)
            return !overflow && address >= 0 && bytes <= fileBytes && address <= fileBytes - bytes
        case .chunked(let chunkRows):
            if let fixed = maxShape.first ?? nil, chunkRows > fixed { return false }
            let (chunkBytes, overflow) = chunkRows.multipliedReportingOverflow(by: rowBytes)
            guard !overflow, chunkBytes <= fileBytes else { return false }
            let site = site()
            var offset = [UInt64](repeating: 0, count: shape.count)
            for first in stride(from: 0, to: rowCount, by: chunkRows) {
                offset[0] = UInt64(first)
                guard let chunk = try CAPI.chunkLocation(handle.raw, offset: offset, site), chunk.bytes == chunkBytes,
                    chunk.address >= 0, chunk.address <= fileBytes - chunkBytes
                else { return false }
            }
            return true
        }
    }
}
