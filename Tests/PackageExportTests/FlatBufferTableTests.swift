import Testing

@testable import PackageExport

/// ``FlatBufferTable`` follows the FlatBuffers rules a reader relies on: a root offset, a vtable reached by
/// the signed offset at the table, aligned little-endian scalars, length-prefixed NUL-terminated strings.
/// (ORT's own generated reader re-reads it in ExportTests; this walks the buffer as that reader does.)
struct FlatBufferTableTests {
    static func u32(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
    }
    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }

    /// The field `index` of the table at `table`: its absolute position, or nil when absent.
    static func field(_ b: [UInt8], table: Int, index: Int) -> Int? {
        let vtable = table - Int(Int32(bitPattern: UInt32(u32(b, table))))
        let slot = 4 + 2 * index
        guard slot < u16(b, vtable) else { return nil }
        let offset = u16(b, vtable + slot)
        return offset == 0 ? nil : table + offset
    }

    static func string(_ b: [UInt8], at field: Int) -> String {
        let start = field + u32(b, field)
        let length = u32(b, start)
        #expect(b[start + 4 + length] == 0)
        return String(decoding: b[(start + 4)..<(start + 4 + length)], as: UTF8.self)
    }

    @Test func decodesAsWritten() throws {
        let entries = [(key: "relu2", value: "7.569096088409424"), (key: "input", value: "1.0"), (key: "é", value: "")]
        let buffer = FlatBufferTable.encode(entries)
        #expect(buffer.count % 4 == 0)
        let root = Self.u32(buffer, 0)
        #expect(root % 4 == 0)
        let dict = try #require(Self.field(buffer, table: root, index: 0))
        let vector = dict + Self.u32(buffer, dict)
        #expect(Self.u32(buffer, vector) == entries.count)
        for (index, entry) in entries.enumerated() {
            let slot = vector + 4 + 4 * index
            let table = slot + Self.u32(buffer, slot)
            #expect(table % 4 == 0)
            let key = try #require(Self.field(buffer, table: table, index: 0))
            let value = try #require(Self.field(buffer, table: table, index: 1))
            #expect(Self.string(buffer, at: key) == entry.key)
            #expect(Self.string(buffer, at: value) == entry.value)
        }
    }
}
