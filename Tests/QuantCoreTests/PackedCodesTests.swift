import QuantCore
import TestSupport
import Testing

@Suite struct PackedCodesTests {
    /// Pack then unpack returns every code, for signed and unsigned 1/2/4/8-bit codes and odd counts.
    @Test(arguments: [1, 2, 4, 8], [0, 1, 7, 33])
    func roundTrip(bits: Int, count: Int) throws {
        var rng = SplitMix64(seed: UInt64(bits * 64 + count))
        for signed in [true, false] {
            let lo = signed ? -(1 << (bits - 1)) : 0
            let hi = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1
            let codes = (0..<count).map { _ in Int16(Int.random(in: lo...hi, using: &rng)) }
            let bytes = try PackedCodes.pack(codes, bits: bits)
            #expect(bytes.count == (count * bits + 7) / 8)
            #expect(try PackedCodes.unpack(bytes, bits: bits, signed: signed, count: count, as: Int16.self) == codes)
        }
    }

    /// The documented order: first code in the low bits, two's complement fields.
    @Test func layoutIsLowFieldFirst() throws {
        #expect(try PackedCodes.pack([Int8(1), -1, 7], bits: 4) == [0xF1, 0x07])
        #expect(try PackedCodes.pack([UInt8(0), 1, 2, 3, 3], bits: 2) == [0b11_10_01_00, 0b11])
        #expect(try PackedCodes.pack([Int8(-2), 1], bits: 2) == [0b01_10])
    }

    @Test func rejectsOtherWidths() {
        #expect(throws: QuantizationError.unsupportedPackedWidth(3)) { try PackedCodes.pack([Int8(0)], bits: 3) }
    }

    /// quantizePacked/dequantizePacked equal pack(quantize)/dequantize(unpack) for every granularity,
    /// including runs that start inside a byte and tensors longer than the kernels' scratch chunk.
    @Test(arguments: [IntegerFormat.int4, .uint4, .int2, .uint2, .int8, .uint8])
    func packedKernelsMatchUnpacked(format: IntegerFormat) throws {
        var rng = SplitMix64(seed: 5)
        let granularities: [Granularity] = [
            .perTensor, .perChannel(axis: 0), .perChannel(axis: 1), .perGroup(axis: 1, size: 16),
            .perGroup(axis: 1, size: 7),
            .perGroup(axis: 0, size: 2),
        ]
        for shape in [[3, 45], [3, 4999]] {
            let x = (0..<(shape[0] * shape[1])).map { _ in Float.random(in: -2...3, using: &rng) }
            for granularity in granularities {
                let scheme = try AffineScheme(format: format, symmetry: .asymmetric, granularity: granularity)
                let params = try scheme.parameters(fitting: x, shape: shape)
                let codes: [Int16] = try params.quantize(x)
                var packed = [UInt8](repeating: 0xAA, count: PackedCodes.byteCount(codes: x.count, bits: format.bits))
                try x.withUnsafeBufferPointer { xb in
                    try packed.withUnsafeMutableBufferPointer { try params.quantizePacked(xb, into: $0) }
                }
                #expect(packed == (try PackedCodes.pack(codes, bits: format.bits)), "\(format) \(granularity) \(shape)")
                var back = [Float](repeating: 0, count: x.count)
                try packed.withUnsafeBufferPointer { pb in
                    try back.withUnsafeMutableBufferPointer { try params.dequantizePacked(pb, into: $0) }
                }
                #expect(back == (try params.dequantize(codes)), "\(format) \(granularity) \(shape)")
            }
        }
    }
}
