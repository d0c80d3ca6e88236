extension Dataset {
    /// The layout that lets ``readRawChunks(_:layout:into:)`` copy rows as stored bytes of type `T`, or
    /// `nil` when the dataset does not qualify (contiguous or compact storage, any filter, chunks narrower
    /// than a row, or a file type that differs from `T`'s memory type, such as
    /// big-endian data or another width); such datasets are read with ``readRows(_:into:)``.
    public func rawChunkLayout<T: HDF5Element>(as type: T.Type = T.self) throws(HDF5Error) -> RawChunkLayout? {
        guard case .numeric = elementType, !shape.isEmpty, rowCount > 0, rowElementCount > 0 else { return nil }
        let site = site()
        let creation = try CAPI.datasetCreationList(handle.raw, site)
        guard CAPI.layout(creation) == .chunked, try CAPI.filters(creation, site).isEmpty else { return nil }
        let chunk = try CAPI.chunkShape(creation, rank: shape.count, site)
        guard chunk.count == shape.count, let chunkRows = chunk.first, chunkRows > 0,
            Array(chunk.dropFirst()) == Array(shape.dropFirst())
        else { return nil }
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        guard try CAPI.storesAsIs(handle.raw, memoryType: memoryType, site) else { return nil }
        return RawChunkLayout(
            chunkRows: chunkRows, rowElementCount: rowElementCount, elementBytes: MemoryLayout<T>.stride)
    }

    /// Reads rows `rows` into the start of `buffer` by copying whole stored chunks (`H5Dread_chunk`):
    /// no hyperslab selection, no type conversion, no chunk cache.
    ///
    /// A partial chunk at the end of the dataset is stored full-size: it is read in place when `buffer`
    /// has room for the whole chunk there, otherwise into a scratch chunk from which only the valid rows
    /// are copied. A chunk never written (no storage allocated) is read through ``readRows(_:into:)``,
    /// which yields the fill value. Values of `buffer` past `rows.count × rowElementCount` may be
    /// overwritten.
    ///
    /// - Precondition (checked, throws `.invalidArgument`): `layout` came from ``rawChunkLayout(as:)``
    ///   for `T` on this dataset, `rows` covers whole chunks (``RawChunkLayout/coversWholeChunks(_:rowCount:)``)
    ///   and `buffer` holds `rows.count × rowElementCount` values.
    /// - Throws: `.library` when a chunk's stored size is not ``RawChunkLayout/chunkBytes``.
    public func readRawChunks<T: HDF5Element>(
        _ rows: Range<Int>, layout: RawChunkLayout, into buffer: UnsafeMutableBufferPointer<T>
    ) throws(HDF5Error) {
        try checkTransfer(rows, capacity: buffer.count, operation: "readRawChunks")
        guard layout.rowElementCount == rowElementCount, layout.elementBytes == MemoryLayout<T>.stride else {
            throw invalid("readRawChunks", "the chunk layout does not describe this dataset read as \(T.self)")
        }
        guard layout.coversWholeChunks(rows, rowCount: rowCount) else {
            throw invalid("readRawChunks", "rows \(rows) do not cover whole chunks of \(layout.chunkRows) rows")
        }
        guard let base = buffer.baseAddress, !rows.isEmpty else { return }
        let site = site()
        let width = rowElementCount
        let chunkElements = layout.chunkRows * width
        var scratch: UnsafeMutableBufferPointer<T>?
        defer { scratch?.deallocate() }
        // Chunk offset in elements: (first row of the chunk, 0, 0, ...).
        var offset = [UInt64](repeating: 0, count: shape.count)
        var chunkStart = rows.lowerBound
        while chunkStart < rows.upperBound {
            offset[0] = UInt64(chunkStart)
            let stored = try CAPI.chunkStorageSize(handle.raw, offset: offset, site)
            let validRows = Swift.min(layout.chunkRows, rowCount - chunkStart)
            let destination = (chunkStart - rows.lowerBound) * width
            guard let stored else {
                let target = UnsafeMutableBufferPointer(start: base + destination, count: validRows * width)
                try readRows(chunkStart..<(chunkStart + validRows), into: target)
                chunkStart += layout.chunkRows
                continue
            }
            guard stored == layout.chunkBytes else {
                throw HDF5Error(
                    kind: .library, file: filePath, object: objectPath, operation: "H5Dread_chunk",
                    cause: "the chunk at row \(chunkStart) is stored in \(stored) bytes, expected \(layout.chunkBytes)")
            }
            if buffer.count - destination >= chunkElements {
                _ = try CAPI.readChunk(handle.raw, offset: offset, into: base + destination, site)
            } else {
                let chunk = scratch ?? .allocate(capacity: chunkElements)
                scratch = chunk
                guard let chunkBase = chunk.baseAddress else { return }
                _ = try CAPI.readChunk(handle.raw, offset: offset, into: chunkBase, site)
                (base + destination).update(from: chunkBase, count: validRows * width)
            }
            chunkStart += layout.chunkRows
        }
        try checkNotShrunk("H5Dread_chunk")
    }
}
