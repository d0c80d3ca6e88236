import HDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The zero-copy read path of one shard of a ``TensorSource``: the dataset's ``DirectStorage`` and the
/// mapped file, handing out one ``MappedWindow`` per batch (``TensorSource/ReadPath/mapped``).
///
/// The first window is checked against libhdf5: its first and last rows, read through a hyperslab, must
/// equal the mapped bytes. A mismatch (a file address convention this reader does
/// not know) disables mapping for the shard.
struct DirectMapping {
    /// What ``window(_:of:scratch:)`` found.
    enum Outcome {
        /// The rows, mapped.
        case window(MappedWindow)
        /// Not for these rows (not one run of the file, misaligned, file shorter than expected): copy them.
        case unavailable
        /// The mapping disagrees with libhdf5: do not map this shard again.
        case unusable
    }

    let storage: DirectStorage
    let file: MappedFile
    private var verified = false

    init(storage: DirectStorage, file: MappedFile) {
        self.storage = storage
        self.file = file
    }

    /// Maps `rows` of `dataset`.
    mutating func window(_ rows: Range<Int>, of dataset: borrowing Dataset) throws(TensorIOError) -> Outcome {
        guard let bytes = try hdf5({ () throws(HDF5Error) in try dataset.storedByteRange(rows, storage: storage) }),
            bytes.lowerBound % MemoryLayout<Float>.alignment == 0, let window = file.window(bytes)
        else { return .unavailable }
        if !verified {
            guard try Self.agreesWithLibrary(window, rows, of: dataset, rowBytes: storage.rowBytes) else {
                return .unusable
            }
            verified = true
        }
        return .window(window)
    }

    /// Whether the first and last rows of `window` equal libhdf5's reads of rows `rows` of `dataset`.
    private static func agreesWithLibrary(
        _ window: MappedWindow, _ rows: Range<Int>, of dataset: borrowing Dataset, rowBytes: Int
    ) throws(TensorIOError) -> Bool {
        let first = try hdf5 { () throws(HDF5Error) in
            try dataset.read(rows: rows.lowerBound..<(rows.lowerBound + 1), as: Float.self)
        }
        let last = try hdf5 { () throws(HDF5Error) in
            try dataset.read(rows: (rows.upperBound - 1)..<rows.upperBound, as: Float.self)
        }
        let lastOffset = (rows.count - 1) * rowBytes
        return first.withUnsafeBytes { $0.baseAddress.map { memcmp(window.data, $0, rowBytes) == 0 } ?? false }
            && last.withUnsafeBytes {
                $0.baseAddress.map { memcmp(window.data + lastOffset, $0, rowBytes) == 0 } ?? false
            }
    }
}
