// CAPI datatypes (H5T): the types PTQKit writes, and the classification of the types it reads.
internal import CHDF5

extension CAPI {
    /// A new datatype for `type`: the host's native type for memory, the standard one (with `type`'s byte
    /// order) for files. Float16 is built from float32 as h5py does (libhdf5 < 1.14.4 has no half type).
    static func makeType(_ type: NumericType, memory: Bool, _ site: Site) throws(HDF5Error) -> DatatypeHandle {
        prepareThread()
        let base: hid_t
        switch (type.kind, type.bits) {
        case (.float, 16), (.float, 32): base = memory ? ptq_H5T_NATIVE_FLOAT() : ptq_H5T_IEEE_F32LE()
        case (.float, _): base = memory ? ptq_H5T_NATIVE_DOUBLE() : ptq_H5T_IEEE_F64LE()
        case (.signedInteger, 8): base = memory ? ptq_H5T_NATIVE_INT8() : ptq_H5T_STD_I8LE()
        case (.signedInteger, 16): base = memory ? ptq_H5T_NATIVE_INT16() : ptq_H5T_STD_I16LE()
        case (.signedInteger, 32): base = memory ? ptq_H5T_NATIVE_INT32() : ptq_H5T_STD_I32LE()
        case (.signedInteger, _): base = memory ? ptq_H5T_NATIVE_INT64() : ptq_H5T_STD_I64LE()
        case (.unsignedInteger, 8): base = memory ? ptq_H5T_NATIVE_UINT8() : ptq_H5T_STD_U8LE()
        case (.unsignedInteger, 16): base = memory ? ptq_H5T_NATIVE_UINT16() : ptq_H5T_STD_U16LE()
        case (.unsignedInteger, 32): base = memory ? ptq_H5T_NATIVE_UINT32() : ptq_H5T_STD_U32LE()
        case (.unsignedInteger, _): base = memory ? ptq_H5T_NATIVE_UINT64() : ptq_H5T_STD_U64LE()
        }
        let handle = DatatypeHandle(raw: try identifier(H5Tcopy(base), "H5Tcopy", site))
        if type.kind == .float && type.bits == 16 {
            // IEEE binary16: sign bit 15, exponent bits 10..14, mantissa bits 0..9, exponent bias 15.
            try check(H5Tset_fields(handle.raw, 15, 10, 5, 0, 10), "H5Tset_fields", site)
            try check(H5Tset_size(handle.raw, 2), "H5Tset_size", site)
            try check(H5Tset_ebias(handle.raw, 15), "H5Tset_ebias", site)
        }
        if !memory {
            let order = type.byteOrder == .big ? H5T_ORDER_BE : H5T_ORDER_LE
            try check(H5Tset_order(handle.raw, order), "H5Tset_order", site)
        }
        return handle
    }

    /// A variable-length UTF-8 string type (what h5py writes for `str`).
    static func makeStringType(_ site: Site) throws(HDF5Error) -> DatatypeHandle {
        prepareThread()
        let handle = DatatypeHandle(raw: try identifier(H5Tcopy(ptq_H5T_C_S1()), "H5Tcopy", site))
        try check(H5Tset_size(handle.raw, ptq_H5T_VARIABLE()), "H5Tset_size", site)
        try check(H5Tset_cset(handle.raw, H5T_CSET_UTF8), "H5Tset_cset", site)
        return handle
    }

    /// Classifies a file datatype into a supported numeric type or a named unsupported class.
    static func elementType(_ type: borrowing DatatypeHandle, _ site: Site) throws(HDF5Error) -> ElementType {
        prepareThread()
        let typeClass = H5Tget_class(type.raw)
        let size = H5Tget_size(type.raw)
        guard size > 0 else { throw failure("H5Tget_size", site) }
        let order: ByteOrder = H5Tget_order(type.raw) == H5T_ORDER_BE ? .big : .little
        switch typeClass {
        case H5T_INTEGER:
            let signed = H5Tget_sign(type.raw) == H5T_SGN_2
            guard
                let numeric = NumericType(
                    kind: signed ? .signedInteger : .unsignedInteger, bits: size * 8,
                    byteOrder: order)
            else { return .unsupported("integer of \(size) bytes") }
            return .numeric(numeric)
        case H5T_FLOAT:
            guard let numeric = NumericType(kind: .float, bits: size * 8, byteOrder: order),
                try isIEEE(type, size: size, site)
            else { return .unsupported("float of \(size) bytes, non-IEEE layout") }
            return .numeric(numeric)
        case H5T_STRING: return .unsupported("string")
        case H5T_COMPOUND: return .unsupported("compound")
        case H5T_ENUM: return .unsupported(try isBool(type, site) ? "bool" : "enum")
        case H5T_OPAQUE: return .unsupported("opaque")
        case H5T_BITFIELD: return .unsupported("bitfield")
        case H5T_REFERENCE: return .unsupported("reference")
        case H5T_VLEN: return .unsupported("vlen")
        case H5T_ARRAY: return .unsupported("array")
        case H5T_TIME: return .unsupported("time")
        default: throw failure("H5Tget_class", site)
        }
    }

    /// Whether a float type has the IEEE 754 field layout of its width (sign, exponent, mantissa).
    private static func isIEEE(_ type: borrowing DatatypeHandle, size: Int, _ site: Site) throws(HDF5Error) -> Bool {
        var sign = 0
        var exponentPosition = 0
        var exponentSize = 0
        var mantissaPosition = 0
        var mantissaSize = 0
        try check(
            H5Tget_fields(type.raw, &sign, &exponentPosition, &exponentSize, &mantissaPosition, &mantissaSize),
            "H5Tget_fields", site)
        let expected: (Int, Int, Int) =
            switch size {
            case 2: (15, 5, 10)
            case 4: (31, 8, 23)
            default: (63, 11, 52)
            }
        return (sign, exponentSize, mantissaSize) == expected && mantissaPosition == 0
    }

    /// Whether an enum type is h5py's bool (`FALSE = 0`, `TRUE = 1`).
    private static func isBool(_ type: borrowing DatatypeHandle, _ site: Site) throws(HDF5Error) -> Bool {
        guard H5Tget_nmembers(type.raw) == 2 else { return false }
        var names: [String] = []
        for index in 0..<2 {
            guard let name = H5Tget_member_name(type.raw, UInt32(index)) else {
                throw failure("H5Tget_member_name", site)
            }
            names.append(String(cString: name))
            H5free_memory(name)
        }
        return names == ["FALSE", "TRUE"]
    }

    /// Whether a string type is variable-length.
    static func isVariableString(_ type: borrowing DatatypeHandle, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Tis_variable_str(type.raw)
        try check(result, "H5Tis_variable_str", site)
        return result > 0
    }

    /// Whether a datatype is of the string class.
    static func isString(_ type: borrowing DatatypeHandle) -> Bool {
        prepareThread()
        return H5Tget_class(type.raw) == H5T_STRING
    }

    /// Size of one element of a datatype in bytes.
    static func typeSize(_ type: borrowing DatatypeHandle) -> Int {
        prepareThread()
        return H5Tget_size(type.raw)
    }

    /// Frees a variable-length string handed out by libhdf5.
    static func freeMemory(_ pointer: UnsafeMutableRawPointer) {
        H5free_memory(pointer)
    }
}
