import QuantCore
import Testing

/// The degenerate and boundary cases of MX and NVFP4 that the bundled-weight goldens do not reach.
@Suite struct BlockScaledQuantizerTests {
    /// Quantizes `values` (shape `[1, n]`, blocks along axis 1) and dequantizes them.
    func roundTrip(_ scheme: BlockScaledQuantizer.Scheme, _ values: [Float]) throws -> (
        BlockScaledQuantizer.Quantized, [Float]
    ) {
        let quantizer = try BlockScaledQuantizer(scheme: scheme, axis: 1)
        let q = try values.withUnsafeBufferPointer { try quantizer.quantize($0, shape: [1, values.count]) }
        var restored = [Float](repeating: .nan, count: values.count)
        try restored.withUnsafeMutableBufferPointer { try quantizer.dequantize(q, into: $0) }
        return (q, restored)
    }

    @Test("MX: E8M0 code k + 127 with k = ⌊log2 amax⌋ − emax; an all-zero block gets X = 1 (code 127)")
    func microscalingScaleCodes() throws {
        // Block 0: amax 1.5 → ⌊log2⌋ = 0, E2M1 emax 2 → X = 2^−2, code 125; 1.5 / 0.25 = 6 (max finite).
        // Block 1: zeros.
        let values = [Float](repeating: 0.5, count: 31) + [-1.5] + [Float](repeating: 0, count: 32)
        let (q, restored) = try roundTrip(.microscaling(element: .fp4E2M1), values)
        #expect(q.scaleCodes == [125, 127])
        #expect(q.globalScale == nil)
        #expect(restored == values)
        // amax 1000 with E4M3 (emax 8): X = 2^(9 − 8) = 2, 1000 / 2 = 500 saturates to 448 → 896.
        let (big, back) = try roundTrip(.microscaling(element: .fp8E4M3FN), [1000] + [Float](repeating: 1, count: 31))
        #expect(big.scaleCodes == [128])
        #expect(back[0] == 896)
    }

    @Test("NVFP4: g = amax / 2688; a block whose E4M3 scale underflows to 0 stores ±0 codes; zeros stay zeros")
    func nvfp4Degenerate() throws {
        // Block 0 holds amax 2688 (g = 1, scale code 0x7E = 448); block 1 is −1e-6: (1e-6 / 6) / g is below
        // half of E4M3's smallest subnormal 2^−9, so its scale code is 0.
        let values = [Float(2688)] + [Float](repeating: 0, count: 15) + [Float](repeating: -1e-6, count: 16)
        let (q, restored) = try roundTrip(.nvfp4, values)
        #expect(q.globalScale == 1)
        #expect(q.scaleCodes == [0x7E, 0])
        #expect(restored[0] == 2688)
        #expect(restored[16...].allSatisfy { $0 == 0 })
        let (zero, back) = try roundTrip(.nvfp4, [Float](repeating: 0, count: 16))
        #expect(zero.globalScale == 1 && zero.scaleCodes == [0] && back.allSatisfy { $0 == 0 })
    }
}
