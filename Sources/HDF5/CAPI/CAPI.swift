// CAPI: the only place that calls libhdf5, a folder of thin wrappers split by API family: this file (the
// namespace, per-thread setup, library queries and the few POSIX calls the wrapper needs), Errors (H5E),
// Files (H5F), Links (H5G/H5L/H5O), Datasets (H5D), Dataspaces (H5S), Datatypes (H5T), PropertyLists
// (H5P), Attributes (H5A), Copies (H5Ocopy and the clones of attributes, groups and datasets between
// files), and Handles (the `~Copyable` owners of identifiers). No file outside this folder imports CHDF5.
//
// Every call goes through `check`/`identifier` (Errors.swift), which turn a negative return into an
// `HDF5Error` built from HDF5's error stack (walked with `H5Ewalk2`, then cleared). HDF5's own printing of
// that stack is switched off per thread (`H5Eset_auto2` is per thread in a thread-safe build) by
// `prepareThread()`, which every wrapper calls before its first libhdf5 call.
internal import CHDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Namespace of thin, throwing wrappers over the libhdf5 functions PTQKit uses.
enum CAPI {}

// MARK: - Per-thread setup

/// Thread-specific flag: set once this thread has switched off HDF5's automatic error printing.
private let silencedKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Done once, before the first libhdf5 call of the process:
/// - `H5dont_atexit()`, so that libhdf5 does not close the identifiers still open at `exit`. Every handle
///   closes its identifier in `deinit`; the only ones left at exit are files whose `H5Fclose` failed (a
///   write error such as a full disk), and libhdf5 1.10 dereferences a null pointer when its exit handler
///   closes such a file again.
/// - `H5set_free_list_limits`: libhdf5 keeps every block it frees on internal free lists, unlimited by
///   default, so a process that writes many datasets (B-tree nodes, chunk indexes, object headers) holds
///   their peak forever (about 3.5 MiB more for a package of 57 layers than for one of 9; 4 MiB after
///   writing 400 small chunked datasets). The limits cap the regular and the array lists at 512 KiB in
///   all (64 KiB per list) and the block lists at 1 MiB (256 KiB per list); what is freed beyond them
///   goes back to `malloc`.
private let libraryPrepared: Void = {
    _ = H5dont_atexit()
    _ = H5set_free_list_limits(512 << 10, 64 << 10, 512 << 10, 64 << 10, 1 << 20, 256 << 10)
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
}

// MARK: - Library and system

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

    /// Bytes on libhdf5's internal free lists (regular, array, block and factory lists together).
    static func freeListBytes() -> Int {
        prepareThread()
        var regular = 0
        var array = 0
        var block = 0
        var factory = 0
        guard H5get_free_list_sizes(&regular, &array, &block, &factory) >= 0 else { return 0 }
        return regular + array + block + factory
    }

    /// Whether libhdf5 was built thread-safe (one global lock around every call).
    static func isThreadSafe() -> Bool {
        prepareThread()
        var flag: hbool_t = false
        H5is_library_threadsafe(&flag)
        return flag
    }

    /// Whether a file system object exists at `path` (`access(F_OK)`).
    static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Whether `path` names a directory (`stat`).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether the paths `a` and `b` name the same existing file (same device and inode; `stat`).
    static func isSameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// The size in bytes of the file open as `descriptor` (`fstat`), or `nil` when it cannot be read.
    static func fileSize(ofDescriptor descriptor: Int32) -> Int? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int(status.st_size) : nil
    }

    /// Sets `FD_CLOEXEC` on an open descriptor (`fcntl`); a failure leaves it as it was.
    static func setCloseOnExec(_ descriptor: Int32) {
        let flags = fcntl(descriptor, F_GETFD)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// Writes all of `bytes` at file offset `offset` of `descriptor` (`pwrite`, repeated after short writes
    /// and `EINTR`; safe from several threads at once: no file position is shared).
    ///
    /// - Returns: `nil`, or the `errno` of the failed call (`ENOSPC`, `EFBIG`, `EIO`, ...).
    static func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int32? {
        guard var next = bytes.baseAddress else { return nil }
        var left = bytes.count
        var position = offset
        while left > 0 {
            let written = pwrite(descriptor, next, left, off_t(position))
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            // A regular file returns 0 only for a 0-byte request; guard against looping forever anyway.
            if written == 0 { return EIO }
            left -= written
            position += written
            next += written
        }
        return nil
    }

    /// The text of an `errno` value (`strerror`).
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Bytes of physical memory (`sysconf`), the bound of any single read buffer.
    static let physicalMemory: UInt64 = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? UInt64(pages) * UInt64(size) : UInt64(Int.max)
    }()
}
