// CAPI: the only file that calls libhdf5.
//
// Every call goes through `check`/`identifier`, which turn a negative return into an `HDF5Error` built
// from HDF5's error stack (walked with `H5Ewalk2`, then cleared). HDF5's own printing of that stack is
// switched off per thread (`H5Eset_auto2` is per thread in a thread-safe build) before the first call a
// thread makes through this file.
internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Where a call happens: the file and the object inside it, for error messages.
struct Site: Sendable {
    var file: String
    var object: String?

    /// The same file, another object.
    func at(_ object: String?) -> Site { Site(file: file, object: object) }
}

/// The kind of object a hard link points to.
enum ObjectClass: Sendable {
    case group, dataset, namedDatatype, other
}

/// One link found while visiting a group recursively.
struct VisitedLink: Sendable {
    enum Target: Sendable {
        case object(ObjectClass)
        case soft(String)
        case external
    }
    /// Path relative to the visited group.
    var name: String
    var target: Target
}

/// How a dataset stores its data.
enum StorageLayout: Sendable {
    case compact, contiguous, chunked, virtual, unknown
}

/// Namespace of thin, throwing wrappers over the libhdf5 functions PTQKit uses.
enum CAPI {}

// MARK: - Errors

/// Thread-specific flag: set once this thread has switched off HDF5's automatic error printing.
private let silencedKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Done once, before the first libhdf5 call of the process: `H5dont_atexit()`, so that libhdf5 does not
/// close the identifiers still open at `exit`. Every handle closes its identifier in `deinit`; the only
/// ones left at exit are files whose `H5Fclose` failed (a write error such as a full disk), and
/// libhdf5 1.10 dereferences a null pointer when its exit handler closes such a file again.
private let libraryPrepared: Void = {
    _ = H5dont_atexit()
}()

extension CAPI {
    /// Switches off HDF5's error printing on the calling thread (once per thread).
    @inline(__always)
    static func prepareThread() {
        _ = libraryPrepared
        if pthread_getspecific(silencedKey) == nil {
            H5Eset_auto2(ptq_H5E_DEFAULT(), nil, nil)
            pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
        }
    }

    /// Whether HDF5's automatic error printing is off on the calling thread (for tests).
    static func isPrintingSilenced() -> Bool {
        var function: H5E_auto2_t?
        var data: UnsafeMutableRawPointer?
        H5Eget_auto2(ptq_H5E_DEFAULT(), &function, &data)
        return function == nil
    }

    /// One frame of HDF5's error stack.
    struct StackFrame {
        var function: String
        var description: String
        var major: hid_t
        var minor: hid_t
    }

    /// Reads and clears the calling thread's error stack, outermost (API) frame first.
    static func takeStack() -> [StackFrame] {
        var frames: [StackFrame] = []
        let walker: H5E_walk2_t = { _, error, context in
            guard let error, let context else { return 0 }
            let frames = context.assumingMemoryBound(to: [StackFrame].self)
            let record = error.pointee
            frames.pointee.append(
                StackFrame(
                    function: record.func_name.map { String(cString: $0) } ?? "?",
                    description: record.desc.map { String(cString: $0) } ?? "",
                    major: record.maj_num,
                    minor: record.min_num
                ))
            return 0
        }
        _ = withUnsafeMutablePointer(to: &frames) { pointer in
            H5Ewalk2(ptq_H5E_DEFAULT(), H5E_WALK_DOWNWARD, walker, pointer)
        }
        H5Eclear2(ptq_H5E_DEFAULT())
        return frames
    }

    /// The text of an HDF5 error message identifier (major or minor).
    static func message(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Builds an error from the current error stack, classifying it by the minor codes it contains.
    static func failure(_ operation: String, _ site: Site, kind: HDF5Error.Kind? = nil) -> HDF5Error {
        let frames = takeStack()
        let minors = Set(frames.map(\.minor))
        let texts = frames.map { frame in
            let minor = message(frame.minor)
            // One line per frame: the sec2 driver's messages embed a newline (after `time = ...`).
            let description = frame.description.split(whereSeparator: \.isNewline).joined(separator: " ")
            return "\(frame.function): \(description)" + (minor.isEmpty ? "" : " (\(minor))")
        }
        let classified: HDF5Error.Kind
        if let kind {
            classified = kind
        } else if minors.contains(ptq_H5E_TRUNCATED()) {
            classified = .corruptFile
        } else if frames.contains(where: { Self.isNewerFormat($0.description) }) {
            // Checked before "not found": H5Dopen2 reports an undecodable layout as "Object not found" too.
            classified = .unsupportedFormat
        } else if minors.contains(ptq_H5E_NOTHDF5()) {
            classified = .notHDF5
        } else if minors.contains(ptq_H5E_NOTFOUND()) {
            classified = .objectNotFound
        } else {
            classified = .library
        }
        var cause = texts.last ?? ""
        if classified == .unsupportedFormat {
            cause += "; the file was probably written with a newer HDF5 format (h5py libver='latest'):"
                + " rewrite it with the default libver"
        }
        return HDF5Error(
            kind: classified, file: site.file, object: site.object, operation: operation, cause: cause,
            stack: texts)
    }

    /// Whether an error-stack description says a message is in a format newer than this libhdf5 decodes
    /// (what h5py's `libver='latest'` files trigger in 1.10: "bad version number for layout message").
    private static func isNewerFormat(_ description: String) -> Bool {
        description.contains("bad version number") || description.contains("layout/pline/efl")
    }

    /// Throws if a status (`herr_t`/`htri_t`) is negative.
    @inline(__always)
    static func check(_ status: Int32, _ operation: String, _ site: Site) throws(HDF5Error) {
        if status < 0 { throw failure(operation, site) }
    }

    /// Returns an identifier, or throws if it is negative.
    @inline(__always)
    static func identifier(_ id: hid_t, _ operation: String, _ site: Site) throws(HDF5Error) -> hid_t {
        if id < 0 { throw failure(operation, site) }
        return id
    }

    /// Closes an identifier from a handle's `deinit`; a failure to close is dropped (and cleared).
    static func close(_ id: hid_t, _ closer: (hid_t) -> herr_t) {
        guard id >= 0 else { return }
        prepareThread()
        if closer(id) < 0 { H5Eclear2(ptq_H5E_DEFAULT()) }
    }
}

// MARK: - Library

extension CAPI {
    /// libhdf5's version as `major.minor.release`.
    static func libraryVersion() -> String {
        prepareThread()
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// Whether libhdf5 was built thread-safe (one global lock around every call).
    static func isThreadSafe() -> Bool {
        prepareThread()
        var flag: hbool_t = false
        H5is_library_threadsafe(&flag)
        return flag
    }
}

// MARK: - Files

extension CAPI {
    /// Whether a file system object exists at `path`.
    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Whether the file at `path` carries the HDF5 signature (`H5Fis_hdf5`).
    static func isHDF5(_ path: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        // libhdf5 reports a directory as a read failure with errno text spread over two lines.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw HDF5Error(kind: .notHDF5, file: site.file, operation: "open", cause: "is a directory, not an HDF5 file")
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
                ? HDF5Error(kind: .corruptFile, file: path, operation: "H5Fopen", cause: error.cause, stack: error.stack)
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
        let descriptor = handle.assumingMemoryBound(to: Int32.self).pointee
        let flags = fcntl(descriptor, F_GETFD)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// Creates a file; with `truncate` an existing file is emptied, otherwise creation fails if it exists.
    static func createFile(_ path: String, truncate: Bool) throws(HDF5Error) -> FileHandle {
        prepareThread()
        let flags = truncate ? ptq_H5F_ACC_TRUNC() : ptq_H5F_ACC_EXCL()
        let raw = try identifier(H5Fcreate(path, flags, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT()), "H5Fcreate", Site(file: path))
        markCloseOnExec(raw)
        return FileHandle(raw: raw)
    }

    /// Flushes a file's buffers to disk.
    static func flush(_ file: hid_t, _ site: Site) throws(HDF5Error) {
        prepareThread()
        try check(H5Fflush(file, H5F_SCOPE_GLOBAL), "H5Fflush", site)
    }
}

// MARK: - Links, groups and objects

extension CAPI {
    /// Whether a link named `name` exists in `location` (`H5Lexists`; intermediate groups must exist).
    static func linkExists(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Lexists(location, name, ptq_H5P_DEFAULT())
        try check(result, "H5Lexists", site)
        return result > 0
    }

    /// Whether the link at `name` resolves to an object (false for a dangling soft link).
    static func objectExists(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Oexists_by_name(location, name, ptq_H5P_DEFAULT())
        try check(result, "H5Oexists_by_name", site)
        return result > 0
    }

    /// The class of the object `name` resolves to (`H5Oget_info_by_name2`).
    static func objectClass(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> ObjectClass {
        prepareThread()
        var info = H5O_info_t()
        try check(
            H5Oget_info_by_name2(location, name, &info, ptq_H5O_INFO_BASIC(), ptq_H5P_DEFAULT()),
            "H5Oget_info_by_name2", site)
        return objectClass(info.type)
    }

    private static func objectClass(_ type: H5O_type_t) -> ObjectClass {
        switch type {
        case H5O_TYPE_GROUP: .group
        case H5O_TYPE_DATASET: .dataset
        case H5O_TYPE_NAMED_DATATYPE: .namedDatatype
        default: .other
        }
    }

    /// The target path of the soft link `name`.
    static func softLinkTarget(_ location: hid_t, _ name: String, size: Int, _ site: Site) throws(HDF5Error)
        -> String
    {
        var buffer = [CChar](repeating: 0, count: size + 1)
        try check(H5Lget_val(location, name, &buffer, buffer.count, ptq_H5P_DEFAULT()), "H5Lget_val", site)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Visits every link below `location` recursively in name order (`H5Lvisit`), depth first, each
    /// group's links before the next sibling; soft links are reported, not followed.
    static func visitLinks(_ location: hid_t, _ site: Site) throws(HDF5Error) -> [VisitedLink] {
        prepareThread()
        final class Context {
            var links: [VisitedLink] = []
            var error: HDF5Error?
            let site: Site
            init(site: Site) { self.site = site }
        }
        let context = Context(site: site)
        let visitor: H5L_iterate_t = { group, name, info, data in
            guard let name, let info, let data else { return -1 }
            let context = Unmanaged<Context>.fromOpaque(data).takeUnretainedValue()
            let path = String(cString: name)
            do throws(HDF5Error) {
                let target: VisitedLink.Target
                switch info.pointee.type {
                case H5L_TYPE_HARD:
                    target = .object(try CAPI.objectClass(group, path, context.site.at(path)))
                case H5L_TYPE_SOFT:
                    let size = info.pointee.u.val_size
                    target = .soft(try CAPI.softLinkTarget(group, path, size: size, context.site.at(path)))
                default:
                    target = .external
                }
                context.links.append(VisitedLink(name: path, target: target))
                return 0
            } catch {
                context.error = error
                return -1
            }
        }
        let status = withExtendedLifetime(context) {
            H5Lvisit(location, H5_INDEX_NAME, H5_ITER_INC, visitor, Unmanaged.passUnretained(context).toOpaque())
        }
        if let error = context.error { throw error }
        try check(status, "H5Lvisit", site)
        return context.links
    }

    /// Creates a soft link `name` in `location` pointing at `target`.
    static func createSoftLink(target: String, _ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) {
        prepareThread()
        let lcpl = try linkCreationList(site)
        try check(
            H5Lcreate_soft(target, location, name, lcpl.raw, ptq_H5P_DEFAULT()), "H5Lcreate_soft", site)
    }

    /// Opens a group.
    static func openGroup(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> GroupHandle {
        prepareThread()
        return GroupHandle(raw: try identifier(H5Gopen2(location, name, ptq_H5P_DEFAULT()), "H5Gopen2", site))
    }

    /// Creates a group, creating missing intermediate groups.
    static func createGroup(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> GroupHandle {
        prepareThread()
        let lcpl = try linkCreationList(site)
        let raw = H5Gcreate2(location, name, lcpl.raw, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT())
        return GroupHandle(raw: try identifier(raw, "H5Gcreate2", site))
    }

    /// A link-creation property list that creates missing intermediate groups.
    private static func linkCreationList(_ site: Site) throws(HDF5Error) -> PropertyListHandle {
        let lcpl = try createPropertyList(ptq_H5P_LINK_CREATE(), site)
        try check(H5Pset_create_intermediate_group(lcpl.raw, 1), "H5Pset_create_intermediate_group", site)
        return lcpl
    }
}

// MARK: - Datasets

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

    /// Number of external files a dataset creation list stores raw data in (`H5Pget_external_count`).
    static func externalFileCount(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error) -> Int {
        prepareThread()
        let count = H5Pget_external_count(list.raw)
        try check(count, "H5Pget_external_count", site)
        return Int(count)
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

// MARK: - Dataspaces

extension CAPI {
    /// A simple dataspace of `shape`; a `nil` entry in `maxShape` means unlimited.
    static func createSpace(_ shape: [Int], maxShape: [Int?]? = nil, _ site: Site) throws(HDF5Error)
        -> DataspaceHandle
    {
        prepareThread()
        if shape.isEmpty {
            return DataspaceHandle(raw: try identifier(H5Screate(H5S_SCALAR), "H5Screate", site))
        }
        let dims = shape.map { hsize_t($0) }
        let raw: hid_t
        if let maxShape {
            let maxDims = maxShape.map { $0.map { hsize_t($0) } ?? ptq_H5S_UNLIMITED() }
            raw = H5Screate_simple(Int32(dims.count), dims, maxDims)
        } else {
            raw = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        return DataspaceHandle(raw: try identifier(raw, "H5Screate_simple", site))
    }

    /// The current and maximum extents of a dataspace (`[]` for a scalar; `nil` maximum = unlimited).
    static func extent(_ space: borrowing DataspaceHandle, _ site: Site) throws(HDF5Error)
        -> (shape: [Int], maxShape: [Int?])
    {
        prepareThread()
        let rank = H5Sget_simple_extent_ndims(space.raw)
        try check(rank, "H5Sget_simple_extent_ndims", site)
        guard rank > 0 else { return ([], []) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        var maxDims = [hsize_t](repeating: 0, count: Int(rank))
        try check(H5Sget_simple_extent_dims(space.raw, &dims, &maxDims), "H5Sget_simple_extent_dims", site)
        let unlimited = ptq_H5S_UNLIMITED()
        // A damaged header can claim any extent: refuse one whose element count does not fit in 2^56, so
        // that element counts times element sizes never overflow `Int` anywhere above this layer.
        var elements = 1
        for dim in dims {
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(clamping: dim))
            guard dim <= UInt64(Int.max), !overflow, product <= maxElementCount else {
                throw HDF5Error(
                    kind: .corruptFile, file: site.file, object: site.object, operation: "H5Sget_simple_extent_dims",
                    cause: "the dataspace \(dims) has more than 2^56 elements (damaged header?)")
            }
            elements = product
        }
        return (dims.map { Int($0) }, maxDims.map { $0 == unlimited ? nil : Int(exactly: $0) })
    }

    /// The most elements a dataspace may have (2^56): more means a damaged header.
    static let maxElementCount = 1 << 56

    /// Bytes of physical memory (`sysconf`), the bound of any single read buffer.
    static let physicalMemory: UInt64 = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? UInt64(pages) * UInt64(size) : UInt64(Int.max)
    }()

    /// Selects the block starting at `start` with extent `count` (one entry per dimension).
    static func selectBlock(_ space: borrowing DataspaceHandle, start: [Int], count: [Int], _ site: Site)
        throws(HDF5Error)
    {
        prepareThread()
        guard !start.isEmpty else { return }  // scalar: the single element is selected already
        let starts = start.map { hsize_t($0) }
        let counts = count.map { hsize_t($0) }
        try check(
            H5Sselect_hyperslab(space.raw, H5S_SELECT_SET, starts, nil, counts, nil), "H5Sselect_hyperslab", site)
    }
}

// MARK: - Datatypes

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
            guard let numeric = NumericType(kind: signed ? .signedInteger : .unsignedInteger, bits: size * 8,
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
            guard let name = H5Tget_member_name(type.raw, UInt32(index)) else { throw failure("H5Tget_member_name", site) }
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

// MARK: - Property lists

/// A filter in a dataset's pipeline, as read from libhdf5 (the public ``Filter`` is built from it).
struct RawFilter {
    var id: Int32
    var name: String
    var parameters: [UInt32]
}

extension CAPI {
    /// A new property list of a class (`ptq_H5P_DATASET_CREATE()`, ...).
    static func createPropertyList(_ propertyClass: hid_t, _ site: Site) throws(HDF5Error) -> PropertyListHandle {
        prepareThread()
        return PropertyListHandle(raw: try identifier(H5Pcreate(propertyClass), "H5Pcreate", site))
    }

    /// A new, empty dataset creation property list.
    /// Object modification times are not recorded (as h5py's default `track_times=False`), so the same
    /// data written twice gives the same bytes.
    static func newDatasetCreationList(_ site: Site) throws(HDF5Error) -> PropertyListHandle {
        let dcpl = try createPropertyList(ptq_H5P_DATASET_CREATE(), site)
        try check(H5Pset_obj_track_times(dcpl.raw, false), "H5Pset_obj_track_times", site)
        return dcpl
    }

    /// Sets chunking and, optionally, the shuffle and deflate filters (in that order) on a creation list.
    static func setChunking(
        _ list: borrowing PropertyListHandle, chunk: [Int], shuffle: Bool, deflateLevel: Int?, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        let dims = chunk.map { hsize_t($0) }
        try check(H5Pset_chunk(list.raw, Int32(dims.count), dims), "H5Pset_chunk", site)
        if shuffle { try check(H5Pset_shuffle(list.raw), "H5Pset_shuffle", site) }
        if let level = deflateLevel { try check(H5Pset_deflate(list.raw, UInt32(level)), "H5Pset_deflate", site) }
    }

    /// The storage layout recorded in a dataset creation list.
    static func layout(_ list: borrowing PropertyListHandle) -> StorageLayout {
        prepareThread()
        switch H5Pget_layout(list.raw) {
        case H5D_COMPACT: return .compact
        case H5D_CONTIGUOUS: return .contiguous
        case H5D_CHUNKED: return .chunked
        case H5D_VIRTUAL: return .virtual
        default:
            H5Eclear2(ptq_H5E_DEFAULT())
            return .unknown
        }
    }

    /// The chunk shape of a chunked dataset's creation list.
    static func chunkShape(_ list: borrowing PropertyListHandle, rank: Int, _ site: Site) throws(HDF5Error) -> [Int] {
        prepareThread()
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        let count = H5Pget_chunk(list.raw, Int32(dims.count), &dims)
        try check(count, "H5Pget_chunk", site)
        return dims.prefix(Int(count)).map { Int(clamping: $0) }
    }

    /// The filter pipeline of a dataset creation list, in application order.
    static func filters(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error) -> [RawFilter] {
        prepareThread()
        let count = H5Pget_nfilters(list.raw)
        try check(count, "H5Pget_nfilters", site)
        var filters: [RawFilter] = []
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0
            var valueCount = 8
            var values = [UInt32](repeating: 0, count: valueCount)
            var name = [CChar](repeating: 0, count: 128)
            var config: UInt32 = 0
            let id = H5Pget_filter2(list.raw, index, &flags, &valueCount, &values, name.count, &name, &config)
            try check(id, "H5Pget_filter2", site)
            filters.append(
                RawFilter(
                    id: id,
                    name: String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                    parameters: Array(values.prefix(min(valueCount, values.count)))))
        }
        return filters
    }
}

// MARK: - Attributes

extension CAPI {
    /// Whether `object` has an attribute `name`.
    static func attributeExists(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Aexists(object, name)
        try check(result, "H5Aexists", site)
        return result > 0
    }

    /// Opens the attribute `name` of `object`.
    static func openAttribute(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> AttributeHandle {
        prepareThread()
        return AttributeHandle(raw: try identifier(H5Aopen(object, name, ptq_H5P_DEFAULT()), "H5Aopen", site))
    }

    /// Creates the attribute `name` on `object`.
    static func createAttribute(
        _ object: hid_t, _ name: String, type: borrowing DatatypeHandle, space: borrowing DataspaceHandle,
        _ site: Site
    ) throws(HDF5Error) -> AttributeHandle {
        prepareThread()
        let raw = H5Acreate2(object, name, type.raw, space.raw, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT())
        return AttributeHandle(raw: try identifier(raw, "H5Acreate2", site))
    }

    /// Deletes the attribute `name` of `object`.
    static func deleteAttribute(_ object: hid_t, _ name: String, _ site: Site) throws(HDF5Error) {
        prepareThread()
        try check(H5Adelete(object, name), "H5Adelete", site)
    }

    /// The attribute's dataspace.
    static func attributeSpace(_ attribute: borrowing AttributeHandle, _ site: Site) throws(HDF5Error)
        -> DataspaceHandle
    {
        prepareThread()
        return DataspaceHandle(raw: try identifier(H5Aget_space(attribute.raw), "H5Aget_space", site))
    }

    /// The attribute's file datatype.
    static func attributeType(_ attribute: borrowing AttributeHandle, _ site: Site) throws(HDF5Error)
        -> DatatypeHandle
    {
        prepareThread()
        return DatatypeHandle(raw: try identifier(H5Aget_type(attribute.raw), "H5Aget_type", site))
    }

    /// Reads the whole attribute into `buffer` as `memoryType`.
    static func readAttribute(
        _ attribute: borrowing AttributeHandle, memoryType: borrowing DatatypeHandle,
        into buffer: UnsafeMutableRawPointer, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(H5Aread(attribute.raw, memoryType.raw, buffer), "H5Aread", site)
    }

    /// Writes the whole attribute from `buffer`, laid out as `memoryType`.
    static func writeAttribute(
        _ attribute: borrowing AttributeHandle, memoryType: borrowing DatatypeHandle, from buffer: UnsafeRawPointer,
        _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        try check(H5Awrite(attribute.raw, memoryType.raw, buffer), "H5Awrite", site)
    }

    /// Names of all attributes of `object`, in name order.
    static func attributeNames(_ object: hid_t, _ site: Site) throws(HDF5Error) -> [String] {
        prepareThread()
        var names: [String] = []
        let collector: H5A_operator2_t = { _, name, _, data in
            guard let name, let data else { return -1 }
            data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
            return 0
        }
        let status = withUnsafeMutablePointer(to: &names) { pointer in
            H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nil, collector, pointer)
        }
        try check(status, "H5Aiterate2", site)
        return names
    }
}
