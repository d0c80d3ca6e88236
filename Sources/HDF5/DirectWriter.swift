/// Writes bytes straight into the stored bytes of one contiguous dataset, with `pwrite(2)` on the descriptor
/// libhdf5's POSIX (sec2) driver writes the file through: from any number of threads at once and without
/// libhdf5's global lock, so that writing a large dataset scales with threads (the kernel's copy into the
/// page cache is the cost) instead of running on whichever thread holds the lock.
///
/// Offered by ``Dataset/directWriter()`` only for a dataset whose bytes libhdf5 never writes on its own:
/// numeric, contiguous, no external files, storage allocated at creation and never filled
/// (``DatasetOptions/allocatesEarly``: `H5D_ALLOC_TIME_EARLY`, `H5D_FILL_TIME_NEVER`), in a file open
/// read-write with the sec2 driver and without a user block (so a dataset address is a file offset).
///
/// Invariants (the caller keeps the first two):
/// - Used only while the dataset it came from is open: the descriptor is libhdf5's and is closed with the
///   file.
/// - The dataset is never `H5Dwrite`n or `H5Dread` through the open file once it is written directly:
///   libhdf5 keeps a sieve buffer of up to 64 KiB of a contiguous dataset's bytes per open dataset; a clean
///   one would return stale bytes, a dirty one would be flushed over the direct writes. Reading it back
///   after the file is closed and opened again is fine.
/// - Nothing else libhdf5 writes lands in the storage: metadata (object headers, heaps, B-trees; the
///   metadata cache and the metadata accumulator only ever hold metadata addresses) is allocated apart from
///   it, no fill value is ever written (`H5D_FILL_TIME_NEVER`), and closing the file sets its size to the
///   end of allocation, which lies past the storage (extending a file that ends in a hole never drops
///   written bytes).
/// - ``write(_:at:)`` writes only inside `0..<byteCount` of the storage (checked: a write outside is
///   refused before any byte is written).
/// - The bytes are taken as stored: the dataset's file type (the little-endian standard types PTQKit
///   creates), unconverted. They go to the operating system like libhdf5's own writes, unsynced.
public struct DirectWriter: Sendable {
    /// Bytes of the dataset's storage (elements × element size).
    public let byteCount: Int
    /// libhdf5's descriptor of the file.
    let descriptor: Int32
    /// The file offset of the dataset's first byte.
    let address: Int
    /// The file, for errors.
    let filePath: String
    /// The dataset, for errors.
    let objectPath: String

    /// Writes `bytes` at byte `offset` of the dataset's storage (element `i` of a type of `n` bytes starts
    /// at `i × n`). Safe to call from several threads at once for any ranges (disjoint ones give a
    /// well-defined result).
    ///
    /// - Throws: `HDF5Error` `.invalidArgument` when `offset..<offset + bytes.count` is not inside
    ///   `0..<byteCount` (nothing is written); `.library` with the system's reason (`pwrite`) when the
    ///   write fails, such as a full disk or a file-size limit.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(HDF5Error) {
        let (end, overflow) = offset.addingReportingOverflow(bytes.count)
        guard offset >= 0, !overflow, end <= byteCount else {
            throw HDF5Error(
                kind: .invalidArgument(
                    "bytes \(offset)..<\(overflow ? Int.max : end) are outside the dataset's \(byteCount) bytes"),
                file: filePath, object: objectPath, operation: "directWrite")
        }
        guard !bytes.isEmpty else { return }
        if let code = CAPI.writeFully(descriptor, bytes, at: address + offset) {
            throw HDF5Error(
                kind: .library, file: filePath, object: objectPath, operation: "pwrite",
                cause: CAPI.errorText(code))
        }
    }
}
