import Foundation

/// A GGUF file (version 3, little-endian) of metadata and F32 tensors, as ggml's `docs/gguf.md` lays it
/// out and `gguf_write_to_file` writes it:
///
///     "GGUF" · u32 version = 3 · u64 tensor count · u64 metadata count
///     metadata:     gguf_string key · u32 value type · value
///     tensor infos: gguf_string name · u32 n_dims · u64 ne[n_dims] · u32 ggml type (0 = F32) · u64 offset
///     padding to `general.alignment` (32) · tensor data, each tensor starting at a multiple of 32
///
/// A gguf_string is a u64 byte length and UTF-8 bytes (no terminator); an array value is a u32 element
/// type, a u64 count and the elements. `ne` lists the dimensions innermost first (ne[0] is the row
/// length), so a `[d]`-element row vector of a `[1, d]` matrix has ne = [d, 1].
struct GGUFFile {
    /// A metadata value (the types ``ptq export`` writes).
    enum Value {
        /// GGUF_TYPE_UINT32 (4).
        case uint32(UInt32)
        /// GGUF_TYPE_STRING (8).
        case string(String)
        /// GGUF_TYPE_ARRAY (9) of GGUF_TYPE_STRING.
        case strings([String])
    }

    /// One F32 tensor: its name, `ne` (innermost first) and values (`ne` product of them).
    struct Tensor {
        var name: String
        var ne: [Int]
        var values: [Float]
    }

    /// The data alignment (`general.alignment`'s default).
    static let alignment = 32
    /// `GGUF` as the little-endian u32 at the start of the file.
    static let magic = Array("GGUF".utf8)

    /// Metadata in file order.
    var metadata: [(key: String, value: Value)] = []
    /// Tensors in file order.
    var tensors: [Tensor] = []

    /// The file's bytes.
    func encoded() -> Data {
        var out = Data()
        out.append(contentsOf: Self.magic)
        Self.append(UInt32(3), to: &out)
        Self.append(UInt64(tensors.count), to: &out)
        Self.append(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            Self.append(key, to: &out)
            switch value {
            case .uint32(let v):
                Self.append(UInt32(4), to: &out)
                Self.append(v, to: &out)
            case .string(let s):
                Self.append(UInt32(8), to: &out)
                Self.append(s, to: &out)
            case .strings(let list):
                Self.append(UInt32(9), to: &out)
                Self.append(UInt32(8), to: &out)
                Self.append(UInt64(list.count), to: &out)
                for s in list { Self.append(s, to: &out) }
            }
        }
        var offset = 0
        for tensor in tensors {
            Self.append(tensor.name, to: &out)
            Self.append(UInt32(tensor.ne.count), to: &out)
            for n in tensor.ne { Self.append(UInt64(n), to: &out) }
            Self.append(UInt32(0), to: &out)  // GGML_TYPE_F32
            Self.append(UInt64(offset), to: &out)
            offset += Self.padded(tensor.values.count * 4)
        }
        out.append(contentsOf: [UInt8](repeating: 0, count: Self.padded(out.count) - out.count))
        for tensor in tensors {
            for v in tensor.values { Self.append(v.bitPattern, to: &out) }
            let bytes = tensor.values.count * 4
            out.append(contentsOf: [UInt8](repeating: 0, count: Self.padded(bytes) - bytes))
        }
        return out
    }

    /// `n` rounded up to a multiple of ``alignment``.
    static func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func append(_ string: String, to out: inout Data) {
        let bytes = Array(string.utf8)
        append(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    /// Why the file at `path` is not a GGUF importance matrix `ptq export` may replace, or `nil`: it must
    /// start with the magic and carry the `imatrix.chunk_count` key in its first 64 KiB.
    static func whyNotOwned(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "it cannot be read" }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        guard Array(head.prefix(4)) == magic else { return "it is not a GGUF file" }
        let key = Array("imatrix.chunk_count".utf8)
        let found =
            head.count >= key.count
            && (0...(head.count - key.count)).contains { start in
                head[start..<(start + key.count)].elementsEqual(key)
            }
        return found ? nil : "it is a GGUF file but not an importance matrix (no imatrix.chunk_count)"
    }
}
