/// An integer element type that can hold quantized codes: `Int8`, `UInt8`, `Int16`, `UInt16`, `Int32`.
///
/// The kernels check that the type holds every code of the format (e.g. uint8 codes need `UInt8`,
/// `Int16` or `Int32`; `Int8` is rejected) and convert with `init(truncatingIfNeeded:)`.
public protocol QuantizedCode: FixedWidthInteger, Sendable {}

extension Int8: QuantizedCode {}
extension UInt8: QuantizedCode {}
extension Int16: QuantizedCode {}
extension UInt16: QuantizedCode {}
extension Int32: QuantizedCode {}

extension IntegerFormat {
    /// Whether `Code` can hold every code `qmin…qmax`.
    public func fits<Code: QuantizedCode>(in code: Code.Type) -> Bool {
        Int64(Code.min) <= Int64(qmin) && Int64(qmax) <= Int64(Code.max)
    }
}
