/// Facts about the linked libhdf5.
public enum HDF5Library {
    /// libhdf5's version, `major.minor.release` (Debian bookworm: `1.10.8`).
    public static var version: String { CAPI.libraryVersion() }

    /// Whether libhdf5 was built thread-safe. Calls from several threads are only safe when true; even
    /// then every call takes one global lock, so threads speed up arithmetic, not I/O.
    public static var isThreadSafe: Bool { CAPI.isThreadSafe() }

    /// Bytes libhdf5 holds on its internal free lists: memory it freed and keeps for reuse instead of
    /// returning it to `malloc`. PTQKit caps those lists (512 KiB of regular and of array lists, 1 MiB of
    /// block lists), so this stays below 2 MiB plus the factory lists however many datasets a process
    /// writes.
    public static var freeListBytes: Int { CAPI.freeListBytes() }
}
