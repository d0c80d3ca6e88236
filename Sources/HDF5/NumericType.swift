/// Byte order of a numeric type as stored in a file.
public enum ByteOrder: String, Sendable, Hashable {
    /// Least significant byte first (x86, ARM, and HDF5's `*LE` types).
    case little
    /// Most significant byte first (HDF5's `*BE` types, NumPy's `>` dtypes).
    case big
}

/// A numeric element type PTQKit can read (and, for the common ones, write): IEEE float16/32/64 and
/// two's-complement signed or unsigned integers of 8 to 64 bits, in either byte order.
///
/// Invariant: `bits` is 16, 32 or 64 for floats and 8, 16, 32 or 64 for integers.
public struct NumericType: Sendable, Hashable, CustomStringConvertible {
    /// The family of the type.
    public enum Kind: String, Sendable, Hashable {
        /// IEEE 754 binary floating point.
        case float
        /// Two's-complement signed integer.
        case signedInteger
        /// Unsigned integer.
        case unsignedInteger
    }

    /// The family of the type.
    public var kind: Kind
    /// Width of one element in bits.
    public var bits: Int
    /// Byte order in the file (memory types are always the host's order).
    public var byteOrder: ByteOrder

    /// Creates a numeric type. Returns `nil` for widths HDF5 files written by NumPy never use.
    public init?(kind: Kind, bits: Int, byteOrder: ByteOrder = .little) {
        let valid: Set<Int> = kind == .float ? [16, 32, 64] : [8, 16, 32, 64]
        guard valid.contains(bits) else { return nil }
        self.kind = kind
        self.bits = bits
        self.byteOrder = byteOrder
    }

    private init(_ kind: Kind, _ bits: Int) {
        self.kind = kind
        self.bits = bits
        self.byteOrder = .little
    }

    /// IEEE half precision, little-endian.
    public static let float16 = NumericType(.float, 16)
    /// IEEE single precision, little-endian.
    public static let float32 = NumericType(.float, 32)
    /// IEEE double precision, little-endian.
    public static let float64 = NumericType(.float, 64)
    /// Signed 8-bit integer.
    public static let int8 = NumericType(.signedInteger, 8)
    /// Signed 16-bit integer, little-endian.
    public static let int16 = NumericType(.signedInteger, 16)
    /// Signed 32-bit integer, little-endian.
    public static let int32 = NumericType(.signedInteger, 32)
    /// Signed 64-bit integer, little-endian.
    public static let int64 = NumericType(.signedInteger, 64)
    /// Unsigned 8-bit integer.
    public static let uint8 = NumericType(.unsignedInteger, 8)
    /// Unsigned 16-bit integer, little-endian.
    public static let uint16 = NumericType(.unsignedInteger, 16)
    /// Unsigned 32-bit integer, little-endian.
    public static let uint32 = NumericType(.unsignedInteger, 32)
    /// Unsigned 64-bit integer, little-endian.
    public static let uint64 = NumericType(.unsignedInteger, 64)

    /// Every supported type in little-endian order.
    public static let all: [NumericType] = [
        .float16, .float32, .float64, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64,
    ]

    /// The same type with another byte order.
    public func with(byteOrder: ByteOrder) -> NumericType {
        var copy = self
        copy.byteOrder = byteOrder
        return copy
    }

    /// Size of one element in bytes.
    public var byteCount: Int { bits / 8 }

    /// NumPy-style name without byte order: `float32`, `int8`, `uint64`.
    public var name: String {
        switch kind {
        case .float: "float\(bits)"
        case .signedInteger: "int\(bits)"
        case .unsignedInteger: "uint\(bits)"
        }
    }

    /// The name, with ` (big-endian)` appended for big-endian types.
    public var description: String { byteOrder == .big ? "\(name) (big-endian)" : name }
}

/// The element type of a dataset or attribute: a supported ``NumericType`` or a named unsupported class.
public enum ElementType: Sendable, Hashable, CustomStringConvertible {
    /// A numeric type PTQKit reads and converts.
    case numeric(NumericType)
    /// Anything else, named by its HDF5 class: `"string"`, `"compound"`, `"enum"`, `"bool"`, `"opaque"`,
    /// `"bitfield"`, `"reference"`, `"vlen"`, `"array"`, `"time"`, or a float/integer of unusual layout.
    case unsupported(String)

    /// The numeric type, if supported.
    public var numeric: NumericType? {
        if case .numeric(let type) = self { return type }
        return nil
    }

    /// `float32`, `int8 (big-endian)`, or `unsupported(string)`.
    public var description: String {
        switch self {
        case .numeric(let type): type.description
        case .unsupported(let name): "unsupported(\(name))"
        }
    }
}
