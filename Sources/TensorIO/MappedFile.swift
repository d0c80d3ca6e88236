#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened read-only to map windows of it (`mmap`, `PROT_READ`, `MAP_PRIVATE`) for zero-copy batches
/// (``TensorSource/ReadPath/mapped``).
///
/// Each ``window(_:)`` is its own mapping, unmapped when the returned ``MappedWindow`` goes away, so the
/// process maps (and holds resident) only the batches in flight, whatever the file size. Mapped pages are
/// the page cache's: nothing is copied and no libhdf5 call (or lock) is involved in touching them.
///
/// SIGBUS: touching a mapped page beyond the end of the file kills the process. ``window(_:)`` checks the
/// file's current size (`fstat`) against the window before mapping it; the residual risk is another process
/// truncating the file while a window is being read (HDF5 files are not truncated in place by libhdf5 or
/// h5py; rewriting a file in place during calibration is unsupported).
final class MappedFile: @unchecked Sendable {
    // @unchecked Sendable: `descriptor` is immutable and only closed in deinit.
    private let descriptor: Int32
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Opens `path` read-only, or `nil` when it cannot be opened (callers fall back to libhdf5 reads).
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Maps the file's bytes `bytes` (read-only, private), or `nil` when the file is now shorter than
    /// `bytes.upperBound`, the range is empty or `mmap` fails. Advises sequential access.
    func window(_ bytes: Range<Int>) -> MappedWindow? {
        guard !bytes.isEmpty, bytes.lowerBound >= 0, Self.pageSize > 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) >= bytes.upperBound else { return nil }
        // mmap offsets are page-aligned: map from the page holding the first byte.
        let start = bytes.lowerBound / Self.pageSize * Self.pageSize
        let length = bytes.upperBound - start
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(start)), base != MAP_FAILED
        else { return nil }
        _ = madvise(base, length, Int32(MADV_SEQUENTIAL))
        return MappedWindow(base: base, length: length, data: UnsafeRawPointer(base + (bytes.lowerBound - start)))
    }
}

/// One mapped range of a ``MappedFile``; unmapped (`munmap`) when the last reference goes away.
final class MappedWindow: @unchecked Sendable {
    // @unchecked Sendable: immutable; the mapped memory is read-only.
    private let base: UnsafeMutableRawPointer
    private let length: Int
    /// The first byte of the requested range.
    let data: UnsafeRawPointer

    init(base: UnsafeMutableRawPointer, length: Int, data: UnsafeRawPointer) {
        self.base = base
        self.length = length
        self.data = data
    }

    deinit { munmap(base, length) }
}
