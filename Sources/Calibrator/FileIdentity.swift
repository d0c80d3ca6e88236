#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Which file a path names: its device and inode (`stat`), so that two paths of one file compare
/// equal; the path itself when it cannot be `stat`ed (the later open reports why).
enum FileIdentity: Hashable {
    /// A file that exists.
    case inode(device: UInt64, inode: UInt64)
    /// A path that could not be `stat`ed.
    case path(String)

    init(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            self = .inode(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        } else {
            self = .path(path)
        }
    }
}
