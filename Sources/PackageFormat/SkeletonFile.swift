/// `skeleton.h5`: the original weights file without the values of the tensors `tensors.h5` restores, from
/// which `ptq dequantize` rebuilds a faithful copy of the original (`docs/package-format.md`, "The
/// skeleton").
///
/// It is the weights file copied with `HDF5.StructureCopy`: every group, every attribute (root, groups,
/// datasets), soft links, and every dataset the manifest does not list, byte for byte with its type,
/// chunking and filters. A dataset the manifest lists is a *placeholder* when ``isPlaceholder(_:)``: same
/// name, type, extent, creation properties and attributes, no data; `ptq dequantize` writes the tensor's
/// dequantized values into it, converted to its type. A listed tensor that is not a placeholder (stored as
/// float32 but originally of a type float32 does not hold exactly, such as float64) keeps its original
/// values in the skeleton, so the restored file has them unchanged.
public enum SkeletonFile {
    /// The skeleton's name inside a package.
    public static let fileName = "skeleton.h5"

    /// Original element types whose every value float32 holds exactly: a tensor of one of these stored
    /// unquantized is restored from `tensors.h5` without a change of its bytes.
    static let exactInFloat32: Set<String> = ["float16", "float32", "int8", "uint8", "int16", "uint16"]

    /// Whether the skeleton leaves the tensor's dataset empty for `ptq dequantize` to fill from
    /// `tensors.h5`: every quantized tensor, and a float32-stored one whose original type float32 holds
    /// exactly.
    public static func isPlaceholder(_ record: TensorRecord) -> Bool {
        record.encoding != .float32 || exactInFloat32.contains(record.originalDtype)
    }

    /// The dataset paths of the placeholders of a package with `tensors`.
    public static func placeholders(_ tensors: [TensorRecord]) -> Set<String> {
        Set(tensors.filter(isPlaceholder).map(\.dataset))
    }
}
