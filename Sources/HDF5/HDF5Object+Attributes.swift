extension HDF5Object where Self: ~Copyable {
    /// Names of the object's attributes, in name order.
    public func attributeNames() throws(HDF5Error) -> [String] {
        try CAPI.attributeNames(objectID.raw, site())
    }

    /// Whether the object has an attribute `name`.
    public func hasAttribute(_ name: String) throws(HDF5Error) -> Bool {
        try CAPI.attributeExists(objectID.raw, name, site())
    }

    /// Reads the attribute `name`.
    ///
    /// - Throws: `.objectNotFound` if there is no such attribute, `.unsupportedType` for compound, enum and
    ///   other non-numeric, non-string attributes.
    public func attribute(_ name: String) throws(HDF5Error) -> AttributeValue {
        let attribute = try openAttribute(name)
        let site = attributeSite(name)
        let space = try CAPI.attributeSpace(attribute, site)
        let shape = try CAPI.extent(space, site).shape
        let count = shape.reduce(1, *)
        let scalar = shape.isEmpty
        let fileType = try CAPI.attributeType(attribute, site)
        if CAPI.isString(fileType) {
            let strings = try readStrings(attribute, fileType: fileType, count: count, site)
            return scalar ? .string(strings.first ?? "") : .strings(strings)
        }
        switch try CAPI.elementType(fileType, site) {
        case .numeric(let type) where type.kind == .float:
            let values: [Double] = try readNumbers(attribute, count: count, site)
            return scalar ? .float(values.first ?? 0) : .floats(values)
        case .numeric:
            let values: [Int64] = try readNumbers(attribute, count: count, site)
            return scalar ? .integer(values.first ?? 0) : .integers(values)
        case .unsupported(let typeName):
            throw HDF5Error(kind: .unsupportedType(typeName), file: filePath, object: site.object, operation: "H5Aread")
        }
    }

    /// Reads the numeric attribute `name` converted to `T`, flattened.
    public func attribute<T: HDF5Element>(_ name: String, as type: T.Type) throws(HDF5Error) -> [T] {
        let attribute = try openAttribute(name)
        let site = attributeSite(name)
        let space = try CAPI.attributeSpace(attribute, site)
        let count = try CAPI.extent(space, site).shape.reduce(1, *)
        let fileType = try CAPI.attributeType(attribute, site)
        if case .unsupported(let typeName) = try CAPI.elementType(fileType, site) {
            throw HDF5Error(kind: .unsupportedType(typeName), file: filePath, object: site.object, operation: "H5Aread")
        }
        return try readNumbers(attribute, count: count, site)
    }

    /// Writes the attribute `name`, replacing any existing one.
    public func setAttribute(_ name: String, _ value: AttributeValue) throws(HDF5Error) {
        switch value {
        case .string(let string): try writeStrings(name, [string], shape: [])
        case .strings(let strings): try writeStrings(name, strings, shape: [strings.count])
        case .integer(let value): try setAttribute(name, values: [value], shape: [])
        case .integers(let values): try setAttribute(name, values: values, shape: [values.count])
        case .float(let value): try setAttribute(name, values: [value], shape: [])
        case .floats(let values): try setAttribute(name, values: values, shape: [values.count])
        }
    }

    /// Writes a numeric attribute `name` of `T`'s type with `shape` (`[]` scalar, default 1-D), replacing
    /// any existing one.
    public func setAttribute<T: HDF5Element>(_ name: String, values: [T], shape: [Int]? = nil) throws(HDF5Error) {
        let site = attributeSite(name)
        let shape = shape ?? [values.count]
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error(
                kind: .invalidArgument("\(values.count) values do not fill shape \(shape)"),
                file: filePath, object: site.object, operation: "setAttribute")
        }
        let fileType = try CAPI.makeType(T.hdf5Type, memory: false, site)
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        let attribute = try replaceAttribute(name, type: fileType, shape: shape, site)
        try typedThrows {
            try values.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                try CAPI.writeAttribute(attribute, memoryType: memoryType, from: base, site)
            }
        }
    }

    // MARK: Internals

    private func attributeSite(_ name: String) -> Site {
        Site(file: filePath, object: "\(objectPath)@\(name)")
    }

    private func openAttribute(_ name: String) throws(HDF5Error) -> AttributeHandle {
        let site = attributeSite(name)
        guard try CAPI.attributeExists(objectID.raw, name, site) else {
            throw HDF5Error(
                kind: .objectNotFound, file: filePath, object: site.object, operation: "H5Aopen",
                cause: "no attribute '\(name)' on \(objectPath)")
        }
        return try CAPI.openAttribute(objectID.raw, name, site)
    }

    /// Deletes any attribute `name`, then creates it with `type` and `shape`.
    private func replaceAttribute(_ name: String, type: borrowing DatatypeHandle, shape: [Int], _ site: Site)
        throws(HDF5Error) -> AttributeHandle
    {
        if try CAPI.attributeExists(objectID.raw, name, site) {
            try CAPI.deleteAttribute(objectID.raw, name, site)
        }
        let space = try CAPI.createSpace(shape, site)
        return try CAPI.createAttribute(objectID.raw, name, type: type, space: space, site)
    }

    private func readNumbers<T: HDF5Element>(_ attribute: borrowing AttributeHandle, count: Int, _ site: Site)
        throws(HDF5Error) -> [T]
    {
        let memoryType = try CAPI.makeType(T.hdf5Type, memory: true, site)
        return try typedThrows {
            try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = 0
                guard let base = buffer.baseAddress else { return }
                try CAPI.readAttribute(attribute, memoryType: memoryType, into: base, site)
                initialized = count
            }
        }
    }

    /// Reads `count` strings; the file type doubles as memory type (strings have no byte order).
    private func readStrings(
        _ attribute: borrowing AttributeHandle, fileType: borrowing DatatypeHandle, count: Int, _ site: Site
    ) throws(HDF5Error) -> [String] {
        if try CAPI.isVariableString(fileType, site) {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try typedThrows {
                try pointers.withUnsafeMutableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    try CAPI.readAttribute(attribute, memoryType: fileType, into: base, site)
                }
            }
            defer { for case let pointer? in pointers { CAPI.freeMemory(pointer) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = CAPI.typeSize(fileType)
        var bytes = [UInt8](repeating: 0, count: size * count)
        try typedThrows {
            try bytes.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                try CAPI.readAttribute(attribute, memoryType: fileType, into: base, site)
            }
        }
        // Fixed-length strings are padded with NULs or spaces: keep the text before the padding.
        return (0..<count).map { index in
            var field = bytes[(index * size)..<((index + 1) * size)]
            if let end = field.firstIndex(of: 0) { field = field[..<end] }
            while field.last == UInt8(ascii: " ") { field = field.dropLast() }
            return String(decoding: field, as: UTF8.self)
        }
    }

    /// Writes `strings` as variable-length UTF-8 with `shape`.
    private func writeStrings(_ name: String, _ strings: [String], shape: [Int]) throws(HDF5Error) {
        let site = attributeSite(name)
        let type = try CAPI.makeStringType(site)
        let attribute = try replaceAttribute(name, type: type, shape: shape, site)
        // Keep C copies alive for the call; libhdf5 reads `char *` pointers for variable-length strings.
        let copies = strings.map { strdupUTF8($0) }
        defer { for copy in copies { copy.deallocate() } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        try typedThrows {
            try pointers.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                try CAPI.writeAttribute(attribute, memoryType: type, from: base, site)
            }
        }
    }
}

/// A NUL-terminated heap copy of `string`'s UTF-8 bytes (deallocate with `deallocate()`).
private func strdupUTF8(_ string: String) -> UnsafeMutablePointer<CChar> {
    let utf8 = Array(string.utf8)
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
    for (index, byte) in utf8.enumerated() { copy[index] = CChar(bitPattern: byte) }
    copy[utf8.count] = 0
    return copy
}
