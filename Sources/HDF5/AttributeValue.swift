/// The value of an HDF5 attribute, decoded into one of the shapes PTQKit writes and reads.
///
/// Reading maps every integer width to `Int64` (uint64 values above `Int64.max` saturate) and every float
/// width to `Double`; array attributes are flattened in row-major order. Writing stores `.integer(s)` as
/// int64, `.float(s)` as float64 and strings as variable-length UTF-8 (as h5py writes `str`).
public enum AttributeValue: Sendable, Hashable {
    /// A scalar string (fixed or variable length).
    case string(String)
    /// An array of strings.
    case strings([String])
    /// A scalar integer.
    case integer(Int64)
    /// An array of integers.
    case integers([Int64])
    /// A scalar float.
    case float(Double)
    /// An array of floats.
    case floats([Double])
}
