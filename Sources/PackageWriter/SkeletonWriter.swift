import HDF5
public import PackageFormat

/// Writes a package's `skeleton.h5` (``SkeletonFile``): the weights file copied with
/// ``HDF5/StructureCopy``, the datasets of the tensors `tensors.h5` restores left as placeholders.
public enum SkeletonWriter {
    /// Copies the skeleton of `weights` to `path` with a placeholder for each of `tensors` that
    /// ``SkeletonFile/isPlaceholder(_:)`` selects.
    ///
    /// - Throws: ``PackageError/hdf5(_:)`` naming the file and object that could not be read or written,
    ///   ``PackageError/invalidTensor(name:reason:)`` when a tensor names no dataset of `weights`.
    public static func write(of weights: String, tensors: [TensorRecord], to path: String) throws(PackageError) {
        let placeholders = SkeletonFile.placeholders(tensors)
        let made: [String]
        do { made = try StructureCopy.copy(weights, to: path, emptying: placeholders) } catch { throw .hdf5(error) }
        if let missing = placeholders.subtracting(made).sorted().first {
            throw .invalidTensor(name: missing, reason: "no dataset of that path in \(weights) to copy the skeleton of")
        }
    }
}
