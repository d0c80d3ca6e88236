#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Refuses inputs that are not regular files before libhdf5 opens them: opening a FIFO blocks until a
/// writer appears (forever, for an input nobody writes), and libhdf5 reads by offset, which pipes,
/// sockets and character devices do not support. Directories are reported by ``File``'s open itself.
/// Also reports running out of file descriptors as that, not as a damaged file (libhdf5's open fails
/// with "unable to open file" whatever the cause).
enum InputFileKind {
    /// Throws `.notHDF5` naming the kind when `path` is a FIFO, socket or device.
    static func requireSeekable(_ path: String) throws(HDF5Error) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // the open reports a missing or unreadable file
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFSOCK: kind = "a socket"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        default:
            try requireDescriptor(path)
            return
        }
        throw HDF5Error(
            kind: .notHDF5, file: path, operation: "open",
            cause: "is \(kind), not a regular file: HDF5 inputs must be regular files")
    }

    /// Opens and closes `path`; throws `.library` (exit 74) when no file descriptor is left.
    private static func requireDescriptor(_ path: String) throws(HDF5Error) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        guard errno == EMFILE || errno == ENFILE else { return }
        var limit = rlimit()
        #if canImport(Glibc)
        _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        _ = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        throw HDF5Error(
            kind: .library, file: path, operation: "open",
            cause: "too many open files (the limit is \(limit.rlim_cur), ulimit -n): raise it or give fewer files")
    }
}
