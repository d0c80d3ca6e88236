// CAPI files (H5F): open, create, flush, the file-level properties PTQKit reads, and the descriptor direct
// writes go through (Dataset+DirectWrites.swift).
internal import CHDF5

extension CAPI {
    /// Whether the file at `path` carries the HDF5 signature (`H5Fis_hdf5`).
    static func isHDF5(_ path: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        // libhdf5 reports a directory as a read failure with errno text spread over two lines.
        if isDirectory(path) {
            throw HDF5Error(
                kind: .notHDF5, file: site.file, operation: "open", cause: "is a directory, not an HDF5 file")
        }
        let result = H5Fis_hdf5(path)
        if result < 0 { throw failure("H5Fis_hdf5", site, kind: .notHDF5) }
        return result > 0
    }

    /// Opens an existing file read-only or read-write.
    static func openFile(_ path: String, writable: Bool) throws(HDF5Error) -> FileHandle {
        prepareThread()
        let site = Site(file: path, object: nil)
        let flags = writable ? ptq_H5F_ACC_RDWR() : ptq_H5F_ACC_RDONLY()
        let raw = H5Fopen(path, flags, ptq_H5P_DEFAULT())
        if raw < 0 {
            let error = failure("H5Fopen", site)
            // A signature was found (checked by the caller), so any failure to open means a damaged file.
            throw error.kind == .library || error.kind == .objectNotFound
                ? HDF5Error(
                    kind: .corruptFile, file: path, operation: "H5Fopen", cause: error.cause, stack: error.stack)
                : error
        }
        markCloseOnExec(raw)
        return FileHandle(raw: raw)
    }

    /// Sets `FD_CLOEXEC` on the file's descriptor (default sec2 driver), so a child process started
    /// with fork/exec does not inherit it: an inherited descriptor would keep the file's `flock` lock
    /// alive in the child, and a later open of the same file in this process would fail with
    /// "unable to lock file".
    private static func markCloseOnExec(_ file: hid_t) {
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file, ptq_H5P_DEFAULT(), &handle) >= 0, let handle else {
            H5Eclear2(ptq_H5E_DEFAULT())
            return
        }
        setCloseOnExec(handle.assumingMemoryBound(to: Int32.self).pointee)
    }

    /// Creates a file; with `truncate` an existing file is emptied, otherwise creation fails if it exists.
    static func createFile(_ path: String, truncate: Bool) throws(HDF5Error) -> FileHandle {
        prepareThread()
        let flags = truncate ? ptq_H5F_ACC_TRUNC() : ptq_H5F_ACC_EXCL()
        let raw = try identifier(
            H5Fcreate(path, flags, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT()), "H5Fcreate", Site(file: path))
        markCloseOnExec(raw)
        return FileHandle(raw: raw)
    }

    /// Creates a file with the creation properties of the file holding `template` (user block size, root
    /// group link and attribute order tracking, ...); with `truncate` an existing file is emptied.
    static func createFile(_ path: String, like template: hid_t, truncate: Bool) throws(HDF5Error) -> FileHandle {
        prepareThread()
        let site = Site(file: path)
        let file = try identifier(H5Iget_file_id(template), "H5Iget_file_id", site)
        defer { H5Fclose(file) }
        let list = PropertyListHandle(raw: try identifier(H5Fget_create_plist(file), "H5Fget_create_plist", site))
        let flags = truncate ? ptq_H5F_ACC_TRUNC() : ptq_H5F_ACC_EXCL()
        let raw = try identifier(H5Fcreate(path, flags, list.raw, ptq_H5P_DEFAULT()), "H5Fcreate", site)
        markCloseOnExec(raw)
        return FileHandle(raw: raw)
    }

    /// Flushes a file's buffers to disk.
    static func flush(_ file: hid_t, _ site: Site) throws(HDF5Error) {
        prepareThread()
        try check(H5Fflush(file, H5F_SCOPE_GLOBAL), "H5Fflush", site)
    }

    /// Size of the user block in front of the HDF5 data of the file holding `object` (`H5Pget_userblock`).
    static func userBlockBytes(_ object: hid_t, _ site: Site) throws(HDF5Error) -> Int {
        prepareThread()
        let file = try identifier(H5Iget_file_id(object), "H5Iget_file_id", site)
        defer { H5Fclose(file) }
        let list = PropertyListHandle(raw: try identifier(H5Fget_create_plist(file), "H5Fget_create_plist", site))
        var bytes: hsize_t = 0
        try check(H5Pget_userblock(list.raw, &bytes), "H5Pget_userblock", site)
        return Int(bytes)
    }

    /// The descriptor libhdf5 reads and writes the file holding `object` through (`H5Fget_vfd_handle`), or
    /// `nil` when that file is not open read-write, its driver is not sec2 (whose handle is a pointer to its
    /// descriptor; other drivers' handles are something else, or several files), or it has a user block
    /// (addresses would not be file offsets).
    static func writableDescriptor(ofFileHolding object: hid_t, _ site: Site) throws(HDF5Error) -> Int32? {
        prepareThread()
        let file = try identifier(H5Iget_file_id(object), "H5Iget_file_id", site)
        defer { H5Fclose(file) }
        var intent: UInt32 = 0
        try check(H5Fget_intent(file, &intent), "H5Fget_intent", site)
        guard intent & ptq_H5F_ACC_RDWR() != 0 else { return nil }
        let access = PropertyListHandle(raw: try identifier(H5Fget_access_plist(file), "H5Fget_access_plist", site))
        let driver = try identifier(H5Pget_driver(access.raw), "H5Pget_driver", site)
        guard driver == ptq_H5FD_SEC2(), try userBlockBytes(object, site) == 0 else { return nil }
        var handle: UnsafeMutableRawPointer?
        try check(H5Fget_vfd_handle(file, ptq_H5P_DEFAULT(), &handle), "H5Fget_vfd_handle", site)
        guard let handle else { return nil }
        let descriptor = handle.assumingMemoryBound(to: Int32.self).pointee
        return descriptor >= 0 ? descriptor : nil
    }
}
