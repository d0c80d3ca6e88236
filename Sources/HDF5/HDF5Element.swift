/// A Swift scalar type that can be the memory type of an HDF5 read or write.
///
/// The memory type of every transfer is chosen from the Swift element type (never from the file's type);
/// libhdf5 converts between the file type and this type, including byte order and width.
public protocol HDF5Element: BitwiseCopyable, Sendable {
    /// The HDF5 type of this Swift type in memory (host byte order).
    static var hdf5Type: NumericType { get }
}

extension Float: HDF5Element {
    /// `float32`.
    public static var hdf5Type: NumericType { .float32 }
}

extension Double: HDF5Element {
    /// `float64`.
    public static var hdf5Type: NumericType { .float64 }
}

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: HDF5Element {
    /// `float16`, built as HDF5-NOTES describes (libhdf5 < 1.14.4 has no predefined half type).
    public static var hdf5Type: NumericType { .float16 }
}
#endif

extension Int8: HDF5Element {
    /// `int8`.
    public static var hdf5Type: NumericType { .int8 }
}

extension Int16: HDF5Element {
    /// `int16`.
    public static var hdf5Type: NumericType { .int16 }
}

extension Int32: HDF5Element {
    /// `int32`.
    public static var hdf5Type: NumericType { .int32 }
}

extension Int64: HDF5Element {
    /// `int64`.
    public static var hdf5Type: NumericType { .int64 }
}

extension UInt8: HDF5Element {
    /// `uint8`.
    public static var hdf5Type: NumericType { .uint8 }
}

extension UInt16: HDF5Element {
    /// `uint16`.
    public static var hdf5Type: NumericType { .uint16 }
}

extension UInt32: HDF5Element {
    /// `uint32`.
    public static var hdf5Type: NumericType { .uint32 }
}

extension UInt64: HDF5Element {
    /// `uint64`.
    public static var hdf5Type: NumericType { .uint64 }
}
