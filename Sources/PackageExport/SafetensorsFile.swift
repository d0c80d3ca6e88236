import Foundation

/// A `.safetensors` file (Hugging Face's format): an 8-byte little-endian header length, a JSON header
/// `{"__metadata__": {…}, NAME: {"dtype": "I8", "shape": […], "data_offsets": [begin, end]}, …}` padded
/// with spaces to a multiple of 8 bytes, then the tensors' little-endian bytes back to back (offsets
/// relative to the end of the header, contiguous from 0, here in name order).
struct SafetensorsFile {
    /// One tensor: safetensors dtype name (`F32`, `I32`, `I64`, `I8`), shape, raw little-endian bytes.
    struct Tensor {
        var dtype: String
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// The tensors by name.
    var tensors: [String: Tensor] = [:]
    /// Free-form string metadata (`__metadata__`).
    var metadata: [String: String] = [:]

    /// Adds float32 values.
    mutating func add(_ name: String, float32 values: [Float], shape: [Int]) {
        tensors[name] = Tensor(dtype: "F32", shape: shape, bytes: values.flatMap { littleEndian($0.bitPattern) })
    }

    /// Adds int32 values.
    mutating func add(_ name: String, int32 values: [Int32], shape: [Int]) {
        tensors[name] = Tensor(
            dtype: "I32", shape: shape, bytes: values.flatMap { littleEndian(UInt32(bitPattern: $0)) })
    }

    /// Adds int64 values.
    mutating func add(_ name: String, int64 values: [Int64], shape: [Int]) {
        tensors[name] = Tensor(
            dtype: "I64", shape: shape, bytes: values.flatMap { littleEndian(UInt64(bitPattern: $0)) })
    }

    /// Adds int8 values (each must fit; callers pass codes already checked against their range).
    mutating func add(_ name: String, int8 values: [Int32], shape: [Int]) {
        tensors[name] = Tensor(
            dtype: "I8", shape: shape, bytes: values.map { UInt8(bitPattern: Int8(truncatingIfNeeded: $0)) })
    }

    /// The file's bytes.
    func encoded() -> Data {
        var header: [String: PythonJSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let tensor = tensors[name] else { continue }
            header[name] = .object([
                "dtype": .string(tensor.dtype), "shape": .array(tensor.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + tensor.bytes.count)]),
            ])
            offset += tensor.bytes.count
        }
        var json = Array(PythonJSONValue.object(header).compact().utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(littleEndian(UInt64(json.count)))
        out.append(contentsOf: json)
        for name in names { out.append(contentsOf: tensors[name]?.bytes ?? []) }
        return out
    }

    private func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
