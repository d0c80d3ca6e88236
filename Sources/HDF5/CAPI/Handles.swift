internal import CHDF5

// Typed owners of libhdf5 identifiers. Each wraps one `hid_t` of one HDF5 object class and closes it in
// `deinit`, so every identifier the wrapper opens is closed exactly once, when its owner goes away.
// They are noncopyable: an identifier has one owner; others borrow it.

/// An open file (`H5Fopen`/`H5Fcreate`), closed with `H5Fclose`.
struct FileHandle: ~Copyable, @unchecked Sendable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Fclose) }
}

/// An open group (`H5Gopen2`/`H5Gcreate2`), closed with `H5Gclose`.
struct GroupHandle: ~Copyable, @unchecked Sendable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Gclose) }
}

/// An open dataset (`H5Dopen2`/`H5Dcreate2`), closed with `H5Dclose`.
struct DatasetHandle: ~Copyable, @unchecked Sendable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Dclose) }
}

/// A dataspace (`H5Screate*`, `H5Dget_space`), closed with `H5Sclose`.
struct DataspaceHandle: ~Copyable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Sclose) }
}

/// A datatype (always a copy or a queried type, never a predefined one), closed with `H5Tclose`.
struct DatatypeHandle: ~Copyable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Tclose) }
}

/// A property list (`H5Pcreate`, `H5Dget_create_plist`), closed with `H5Pclose`.
struct PropertyListHandle: ~Copyable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Pclose) }
}

/// An open attribute (`H5Aopen`/`H5Acreate2`), closed with `H5Aclose`.
struct AttributeHandle: ~Copyable {
    let raw: hid_t
    deinit { CAPI.close(raw, H5Aclose) }
}
