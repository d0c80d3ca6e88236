import Testing

@testable import ModelPackage

struct PackedCodesTests {
    @Test(arguments: [(2, true), (2, false), (4, true), (4, false), (1, false)])
    func roundTripsEveryCode(bits: Int, signed: Bool) throws {
        let lo = signed ? -(1 << (bits - 1)) : 0
        let hi = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
        for count in [0, 1, 3, 7, 8, 9, 33] {
            let codes = (0..<count).map { Int32(lo + ($0 * 7) % (hi - lo + 1)) }
            let bytes = PackedCodes.pack(codes, bits: bits)
            #expect(bytes.count == (count * bits + 7) / 8)
            #expect(try PackedCodes.unpack(bytes, count: count, bits: bits, signed: signed, what: "t") == codes)
        }
    }

    /// The documented layout: element 2k in the low nibble of byte k.
    @Test func fourBitLayoutIsLowNibbleFirst() {
        #expect(PackedCodes.pack([1, 2, -1], bits: 4) == [0x21, 0x0F])
        #expect(PackedCodes.pack([1, 0, 3, 2, 1], bits: 2) == [0b1011_0001, 0b01])
    }

    @Test func wrongByteCountIsAnError() {
        #expect(throws: PackageError.self) { try PackedCodes.unpack([0, 0], count: 5, bits: 4, signed: true, what: "t") }
    }
}
