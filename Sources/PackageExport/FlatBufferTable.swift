/// A FlatBuffers encoding of ONNX Runtime's calibration table schema (`CalTableFlatBuffers`):
///
///     table KeyValue { key: string; value: string; }
///     table TrtTable { dict: [KeyValue]; }
///     root_type TrtTable;
///
/// Laid out front to back (the format allows any order; every offset is relative and every scalar
/// little-endian and aligned to its size):
///
///     0   uoffset → TrtTable
///     4   TrtTable vtable: [6, 8, 4] (+ 2 bytes padding)
///     12  TrtTable: soffset 8 (table − vtable), uoffset → vector
///     20  KeyValue vtable (shared): [8, 12, 4, 8]
///     28  vector: count, then one uoffset per KeyValue
///         KeyValue tables: soffset (table − 20), uoffset → key, uoffset → value
///         strings: length, UTF-8 bytes, NUL, padding to 4
enum FlatBufferTable {
    /// The buffer holding `entries` in order.
    static func encode(_ entries: [(key: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = []
        func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func put32(_ value: UInt32, at position: Int) {
            withUnsafeBytes(of: value.littleEndian) { out.replaceSubrange(position..<position + 4, with: $0) }
        }
        let rootTable = 12
        let keyValueVTable = 20
        let vector = 28
        append32(UInt32(rootTable))
        for field: UInt16 in [6, 8, 4, 0] { append16(field) }  // TrtTable vtable + padding
        append32(UInt32(rootTable - 4))  // soffset: table − vtable
        append32(UInt32(vector - 16))  // dict
        for field: UInt16 in [8, 12, 4, 8] { append16(field) }  // KeyValue vtable
        append32(UInt32(entries.count))
        let slots = out.count
        out.append(contentsOf: [UInt8](repeating: 0, count: 4 * entries.count))
        var tables: [Int] = []
        for index in entries.indices {
            let table = out.count
            tables.append(table)
            put32(UInt32(table - slots - 4 * index), at: slots + 4 * index)
            append32(UInt32(table - keyValueVTable))
            append32(0)
            append32(0)
        }
        func appendString(_ text: String) -> Int {
            let position = out.count
            let bytes = Array(text.utf8)
            append32(UInt32(bytes.count))
            out.append(contentsOf: bytes)
            out.append(0)
            while out.count % 4 != 0 { out.append(0) }
            return position
        }
        for (index, entry) in entries.enumerated() {
            let key = appendString(entry.key)
            put32(UInt32(key - (tables[index] + 4)), at: tables[index] + 4)
            let value = appendString(entry.value)
            put32(UInt32(value - (tables[index] + 8)), at: tables[index] + 8)
        }
        return out
    }
}
