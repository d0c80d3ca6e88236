/// Facts about the linked libhdf5.
public enum HDF5Library {
    /// libhdf5's version, `major.minor.release` (Debian bookworm: `1.10.8`).
    public static var version: String { CAPI.libraryVersion() }

    /// Whether libhdf5 was built thread-safe. Calls from several threads are only safe when true; even
    /// then every call takes one global lock, so threads speed up arithmetic, not I/O.
    public static var isThreadSafe: Bool { CAPI.isThreadSafe() }
}
