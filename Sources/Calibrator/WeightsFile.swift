internal import HDF5

/// The weights file, opened once for a calibration and read by every layer's job: libhdf5 keeps its
/// metadata (superblock, group indexes, object headers) cached between tensors instead of reading it
/// again for each of them, which dominated the time of files holding many small tensors.
///
/// `Sendable`: its members are immutable and `File` is `Sendable` (libhdf5 serializes calls from several
/// threads; the calibrator reads weights from several threads only with a thread-safe libhdf5).
final class WeightsFile: Sendable {
    /// The path the file was opened with (as given, for messages).
    let path: String
    /// The open file.
    let file: File

    /// Opens the file at `path` for reading.
    init(_ path: String) throws(HDF5Error) {
        self.path = path
        file = try File(path)
    }
}
