extension Dataset {
    /// Checks, after a read, that the file still reaches its end of allocation: libhdf5's default (sec2)
    /// driver reads the bytes of a file that shrank while it was being read as zeros without an error,
    /// so a truncated file would silently give wrong values. Files opened for writing are not checked.
    ///
    /// - Throws: `.library` (an I/O failure: `ptq` exits 74) naming the file, the dataset and both sizes.
    func checkNotShrunk(_ operation: String) throws(HDF5Error) {
        guard let extent = CAPI.extent(ofFileHolding: handle.raw), extent.size < extent.endOfAllocation else { return }
        throw HDF5Error(
            kind: .library, file: filePath, object: objectPath, operation: operation,
            cause: "short read: the file shrank to \(extent.size) bytes while being read (its data reaches byte "
                + "\(extent.endOfAllocation)); the values read are incomplete")
    }
}
