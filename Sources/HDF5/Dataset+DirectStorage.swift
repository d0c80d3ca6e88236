extension Dataset {
    /// The direct storage description of this dataset read as `T`, or `nil` when its bytes cannot be used
    /// as-is (compact or virtual layout, external files, any filter, chunks narrower than a row, unallocated
    /// contiguous data, a file type other than `T`'s memory type, a user block, an empty dataset).
    public func directStorage<T: HDF5Element>(as type: T.Type = T.self) throws(HDF5Error) -> DirectStorage? {
        guard case .numeric = elementType, !shape.isEmpty, rowCount > 0, rowElementCount > 0 else { return nil }
        let site = site()
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        guard try CAPI.storesAsIs(handle.raw, memoryType: memoryType, site),
            try CAPI.userBlockBytes(handle.raw, site) == 0
        else { return nil }
        let elementBytes = MemoryLayout<T>.stride
        let rowBytes = rowElementCount * elementBytes
        let creation = try CAPI.datasetCreationList(handle.raw, site)
        switch CAPI.layout(creation) {
        case .contiguous:
            guard try CAPI.externalFileCount(creation, site) == 0, let address = CAPI.contiguousAddress(handle.raw),
                CAPI.storageSize(handle.raw) == rowCount * rowBytes
            else { return nil }
            return DirectStorage(
                layout: .contiguous(address: address), rowCount: rowCount, rowBytes: rowBytes,
                elementBytes: elementBytes)
        case .chunked:
            guard try CAPI.filters(creation, site).isEmpty else { return nil }
            let chunk = try CAPI.chunkShape(creation, rank: shape.count, site)
            guard chunk.count == shape.count, let chunkRows = chunk.first, chunkRows > 0,
                Array(chunk.dropFirst()) == Array(shape.dropFirst())
            else { return nil }
            return DirectStorage(
                layout: .chunked(chunkRows: chunkRows), rowCount: rowCount, rowBytes: rowBytes,
                elementBytes: elementBytes)
        case .compact, .virtual, .unknown:
            return nil
        }
    }

    /// The file byte range holding rows `rows` as stored, or `nil` when they do not lie in one run of the
    /// file: a chunk has no storage (never written), is stored in another size than `chunkRows × rowBytes`,
    /// or the next chunk does not follow the previous one directly. Chunked datasets are looked up chunk by
    /// chunk (`H5Dget_chunk_info_by_coord`, one call per chunk under libhdf5's lock).
    ///
    /// - Precondition (checked, throws `.invalidArgument`): `storage` came from ``directStorage(as:)`` on
    ///   this dataset and `rows` lies within `0..<rowCount`.
    public func storedByteRange(_ rows: Range<Int>, storage: DirectStorage) throws(HDF5Error) -> Range<Int>? {
        try checkTransfer(rows, capacity: Int.max, operation: "storedByteRange")
        guard storage.rowCount == rowCount, storage.rowBytes == rowElementCount * storage.elementBytes else {
            throw invalid("storedByteRange", "the direct storage does not describe this dataset")
        }
        guard !rows.isEmpty else { return nil }
        let rowBytes = storage.rowBytes
        switch storage.layout {
        case .contiguous(let address):
            return (address + rows.lowerBound * rowBytes)..<(address + rows.upperBound * rowBytes)
        case .chunked(let chunkRows):
            let site = site()
            let chunkBytes = chunkRows * rowBytes
            var offset = [UInt64](repeating: 0, count: shape.count)
            let firstChunk = rows.lowerBound / chunkRows
            let lastChunk = (rows.upperBound - 1) / chunkRows
            var firstAddress = 0
            for k in firstChunk...lastChunk {
                offset[0] = UInt64(k * chunkRows)
                guard let chunk = try CAPI.chunkLocation(handle.raw, offset: offset, site), chunk.bytes == chunkBytes
                else { return nil }
                if k == firstChunk {
                    firstAddress = chunk.address
                } else if chunk.address != firstAddress + (k - firstChunk) * chunkBytes {
                    return nil
                }
            }
            let start = firstAddress + (rows.lowerBound - firstChunk * chunkRows) * rowBytes
            return start..<(start + rows.count * rowBytes)
        }
    }
}
