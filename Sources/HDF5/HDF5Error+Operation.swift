extension HDF5Error {
    /// ``operation`` as a message says it: a libhdf5 function becomes what it was doing (`H5Fopen` →
    /// "opening the file", `H5Dread` → "reading the dataset"), so a user reads about files, datasets and
    /// attributes, never library functions; a wrapper step (`open`, `read`, ...) stays as it is.
    public var operationInWords: String {
        if let words = Self.wordsForFunction[operation] { return words }
        guard operation.hasPrefix("H5"), let family = operation.dropFirst(2).first else { return operation }
        return Self.wordsForFamily[family] ?? "accessing the file"
    }

    /// The functions whose failure a user meets most, in words.
    static let wordsForFunction: [String: String] = [
        "H5Fis_hdf5": "checking the HDF5 signature", "H5Fopen": "opening the file", "H5Fcreate": "creating the file",
        "H5Fflush": "writing the file", "H5Dopen2": "opening the dataset", "H5Dread": "reading the dataset",
        "H5Dread_chunk": "reading a chunk of the dataset", "H5Dwrite": "writing the dataset",
        "H5Dcreate2": "creating the dataset", "H5Dset_extent": "resizing the dataset",
        "H5Aopen": "opening the attribute",
        "H5Aread": "reading the attribute", "H5Awrite": "writing the attribute", "H5Gopen2": "opening the group",
        "H5Gcreate2": "creating the group", "H5Sget_simple_extent_dims": "reading the dataset's shape",
        "H5Lget_val": "reading the link", "H5Lunpack_elink_val": "reading the external link",
    ]

    /// Every other function by its interface (the letter after `H5`).
    static let wordsForFamily: [Character: String] = [
        "F": "accessing the file", "D": "accessing the dataset", "A": "accessing the attribute",
        "G": "accessing the group", "L": "following the link", "O": "reading the object header",
        "P": "reading the storage properties", "S": "reading the dataset's shape", "T": "reading the element type",
        "I": "identifying the object",
    ]
}
