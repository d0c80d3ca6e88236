/// An open HDF5 dataset, closed (`H5Dclose`) when the value goes away.
///
/// Rows are slices along the first axis: row `r` of a dataset of shape `[n, d1, d2]` holds `d1 × d2`
/// elements in row-major order. A scalar dataset (shape `[]`) has one row of one element.
/// Reads and writes choose the memory type from the Swift element type; libhdf5 converts to and from the
/// file's type (width, signedness, byte order, float16).
public struct Dataset: ~Copyable, HDF5Object, Sendable {
    let handle: DatasetHandle
    /// The path of the file the dataset lives in.
    public let filePath: String
    /// The absolute path of the dataset inside the file.
    public let objectPath: String
    /// Current extent, outermost axis first (`[]` for a scalar).
    public private(set) var shape: [Int]
    /// Maximum extent per axis; `nil` means unlimited.
    public private(set) var maxShape: [Int?]
    /// Element type in the file.
    public let elementType: ElementType
    /// The dataset identifier.
    public var objectID: HDF5ID { HDF5ID(raw: handle.raw) }

    /// Wraps an open dataset after reading its extent and element type.
    static func wrap(_ handle: consuming DatasetHandle, filePath: String, objectPath: String) throws(HDF5Error)
        -> Dataset
    {
        let site = Site(file: filePath, object: objectPath)
        let space = try CAPI.datasetSpace(handle.raw, site)
        let (shape, maxShape) = try CAPI.extent(space, site)
        let type = try CAPI.datasetType(handle.raw, site)
        let elementType = try CAPI.elementType(type, site)
        return Dataset(
            handle: handle, filePath: filePath, objectPath: objectPath, shape: shape, maxShape: maxShape,
            elementType: elementType)
    }

    private init(
        handle: consuming DatasetHandle, filePath: String, objectPath: String, shape: [Int], maxShape: [Int?],
        elementType: ElementType
    ) {
        self.handle = handle
        self.filePath = filePath
        self.objectPath = objectPath
        self.shape = shape
        self.maxShape = maxShape
        self.elementType = elementType
    }

    /// Number of rows: the first extent (1 for a scalar).
    public var rowCount: Int { shape.first ?? 1 }

    /// Elements per row: the product of all extents but the first (1 for 1-D and scalar datasets).
    public var rowElementCount: Int { shape.dropFirst().reduce(1, *) }

    /// Layout, chunking, filters and sizes.
    public func info() throws(HDF5Error) -> DatasetInfo {
        let site = site()
        let creation = try CAPI.datasetCreationList(handle.raw, site)
        let storage: StorageKind =
            switch CAPI.layout(creation) {
            case .compact: .compact
            case .contiguous: .contiguous
            case .chunked: .chunked
            case .virtual: .virtual
            case .unknown: .unknown
            }
        let chunk = storage == .chunked ? try CAPI.chunkShape(creation, rank: shape.count, site) : nil
        let filters = try CAPI.filters(creation, site).map(Filter.init)
        let type = try CAPI.datasetType(handle.raw, site)
        return DatasetInfo(
            path: objectPath, shape: shape, maxShape: maxShape, elementType: elementType, storage: storage,
            chunkShape: chunk, filters: filters, storageBytes: CAPI.storageSize(handle.raw),
            elementBytes: CAPI.typeSize(type))
    }

    /// Reads rows `rows` into the start of `buffer`, converted to `T`.
    ///
    /// - Precondition (checked, throws `.invalidArgument`): `rows` lies within `0..<rowCount` and
    ///   `buffer.count >= rows.count × rowElementCount`.
    /// - Throws: `.unsupportedType` for non-numeric datasets (strings, compounds, ...).
    public func readRows<T: HDF5Element>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>)
        throws(HDF5Error)
    {
        try checkTransfer(rows, capacity: buffer.count, operation: "read")
        guard let base = buffer.baseAddress, !rows.isEmpty, rowElementCount > 0 else { return }
        let site = site()
        let fileSpace = try fileSelection(rows, site)
        let memorySpace = try memoryBlock(rows, site)
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        try CAPI.read(
            handle.raw, memoryType: memoryType, memorySpace: memorySpace, fileSpace: fileSpace, into: base, site)
        try checkNotShrunk("H5Dread")
        if let floats = buffer as? UnsafeMutableBufferPointer<Float> { try checkFloat32Range(rows, converted: floats) }
    }

    /// Reads rows `rows` (all rows by default) into a new array, converted to `T`.
    public func read<T: HDF5Element>(rows: Range<Int>? = nil, as type: T.Type = T.self) throws(HDF5Error) -> [T] {
        if rows == nil { WholeDatasetReads.shared.record(objectPath, in: filePath) }
        let rows = rows ?? 0..<rowCount
        try checkTransfer(rows, capacity: Int.max, operation: "read")
        let count = rows.count * rowElementCount
        try checkAllocation(elements: count, of: T.self, operation: "read")
        return try typedThrows {
            try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                try readRows(rows, into: buffer)
                initialized = count
            }
        }
    }

    /// Writes `buffer` (whole rows, converted from `T` to the file type) starting at row `start`.
    ///
    /// - Precondition (checked): `buffer.count` is a multiple of ``rowElementCount`` and the rows fit.
    public func writeRows<T: HDF5Element>(startingAt start: Int, from buffer: UnsafeBufferPointer<T>)
        throws(HDF5Error)
    {
        let perRow = max(rowElementCount, 1)
        guard buffer.count % perRow == 0 else {
            throw invalid("write", "\(buffer.count) values are not whole rows of \(perRow)")
        }
        let rows = start..<(start + buffer.count / perRow)
        try checkTransfer(rows, capacity: buffer.count, operation: "write")
        guard let base = buffer.baseAddress, !rows.isEmpty, rowElementCount > 0 else { return }
        let site = site()
        let fileSpace = try fileSelection(rows, site)
        let memorySpace = try memoryBlock(rows, site)
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        try CAPI.write(
            handle.raw, memoryType: memoryType, memorySpace: memorySpace, fileSpace: fileSpace, from: base, site)
    }

    /// Writes `values` (whole rows) starting at row `start`.
    public func write<T: HDF5Element>(_ values: [T], startingAt start: Int = 0) throws(HDF5Error) {
        try typedThrows { try values.withUnsafeBufferPointer { try writeRows(startingAt: start, from: $0) } }
    }

    /// Grows (or shrinks) the first axis to `rows`; the dataset must have been created
    /// ``DatasetOptions/growable`` (or with a larger maximum extent).
    public mutating func extend(toRows rows: Int) throws(HDF5Error) {
        guard !shape.isEmpty, rows >= 0 else { throw invalid("extend", "cannot set \(rows) rows") }
        if let limit = maxShape[0], rows > limit {
            throw invalid("extend", "\(rows) rows exceed the maximum extent \(limit)")
        }
        let site = site()
        try CAPI.setExtent(handle.raw, [rows] + shape.dropFirst(), site)
        let space = try CAPI.datasetSpace(handle.raw, site)
        (shape, maxShape) = try CAPI.extent(space, site)
    }

    // MARK: Internals

    func invalid(_ operation: String, _ reason: String) -> HDF5Error {
        HDF5Error(kind: .invalidArgument(reason), file: filePath, object: objectPath, operation: operation)
    }

    /// Refuses a buffer of `elements` values of `T` larger than this machine's physical memory: a damaged
    /// dataspace can claim terabytes, and a failed allocation aborts the process instead of throwing.
    public func checkAllocation<T>(elements: Int, of type: T.Type, operation: String) throws(HDF5Error) {
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        let limit = CAPI.physicalMemory
        if !overflow, bytes >= 0, UInt64(bytes) <= limit { return }
        throw HDF5Error(
            kind: .corruptFile, file: filePath, object: objectPath, operation: operation,
            cause:
                """
                reading \(elements) elements needs more memory than this machine has (\(limit) bytes); shape \(shape) \
                (damaged header?)
                """
        )
    }

    /// Checks that the dataset is numeric, `rows` is in range and `capacity` elements suffice.
    func checkTransfer(_ rows: Range<Int>, capacity: Int, operation: String) throws(HDF5Error) {
        guard case .numeric = elementType else {
            let name = if case .unsupported(let name) = elementType { name } else { "?" }
            throw HDF5Error(
                kind: .unsupportedType(name), file: filePath, object: objectPath, operation: operation,
                cause: "the dataset's element type is \(name); only numeric datasets can be read or written")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw invalid(operation, "rows \(rows) are outside 0..<\(rowCount)")
        }
        guard capacity >= rows.count * rowElementCount else {
            throw invalid(
                operation, "buffer of \(capacity) elements is smaller than \(rows.count) rows × \(rowElementCount)")
        }
    }

    /// The file dataspace with rows `rows` selected.
    private func fileSelection(_ rows: Range<Int>, _ site: Site) throws(HDF5Error) -> DataspaceHandle {
        let fileSpace = try CAPI.datasetSpace(handle.raw, site)
        guard !shape.isEmpty else { return fileSpace }
        let start = [rows.lowerBound] + Array(repeating: 0, count: shape.count - 1)
        try CAPI.selectBlock(fileSpace, start: start, count: [rows.count] + shape.dropFirst(), site)
        return fileSpace
    }

    /// A memory dataspace shaped like the block of rows `rows`.
    private func memoryBlock(_ rows: Range<Int>, _ site: Site) throws(HDF5Error) -> DataspaceHandle {
        try CAPI.createSpace(shape.isEmpty ? [] : [rows.count] + shape.dropFirst(), site)
    }
}
