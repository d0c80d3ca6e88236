/// Sub-byte storage of integer codes: 8/`bits` codes per byte for `bits` ∈ {1, 2, 4, 8}.
///
/// Layout (the ONNX `int4`/`uint4` and GGML order, generalized): element i lives in byte
/// `i / (8/bits)`, in the bit field starting at bit `bits · (i mod (8/bits))` counted from the least
/// significant bit — the first element in the low nibble (4-bit) or the lowest two bits (2-bit).
/// A final partial byte has its unused high fields zero. Signed codes are stored as their `bits`-wide
/// two's complement (−1 in a nibble is 0xF) and sign-extended when unpacked.
///
///     4-bit:  byte = (c[2k] & 0xF) | (c[2k+1] & 0xF) << 4
///     2-bit:  byte = c[4k] & 3 | (c[4k+1] & 3) << 2 | (c[4k+2] & 3) << 4 | (c[4k+3] & 3) << 6
public enum PackedCodes {
    /// Bytes needed for `count` codes of `bits` bits: ⌈count · bits / 8⌉.
    public static func byteCount(codes count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    /// Checks that `bits` is a packable width.
    static func check(_ bits: Int) throws(QuantizationError) {
        guard bits == 1 || bits == 2 || bits == 4 || bits == 8 else { throw .unsupportedPackedWidth(bits) }
    }

    /// Packs the low `bits` bits of each code into `output` (``byteCount(codes:bits:)`` bytes).
    /// - Throws: ``QuantizationError/unsupportedPackedWidth(_:)``, or
    ///   ``QuantizationError/countMismatch(expected:actual:what:)`` if `output` has the wrong size.
    public static func pack<Code: QuantizedCode>(
        _ codes: UnsafeBufferPointer<Code>, bits: Int, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(QuantizationError) {
        try check(bits)
        let n = byteCount(codes: codes.count, bits: bits)
        guard output.count == n else { throw .countMismatch(expected: n, actual: output.count, what: "packed bytes") }
        let perByte = 8 / bits
        let mask = UInt8(truncatingIfNeeded: (1 << bits) - 1)
        let full = codes.count / perByte
        for b in 0..<full {
            var byte: UInt8 = 0
            for f in 0..<perByte {
                byte |= (UInt8(truncatingIfNeeded: codes[b * perByte + f]) & mask) << UInt8(f * bits)
            }
            output[b] = byte
        }
        if full < n {
            var byte: UInt8 = 0
            for f in 0..<(codes.count - full * perByte) {
                byte |= (UInt8(truncatingIfNeeded: codes[full * perByte + f]) & mask) << UInt8(f * bits)
            }
            output[full] = byte
        }
    }

    /// Unpacks `output.count` codes of `bits` bits, sign-extending when `signed`.
    /// - Throws: as ``pack(_:bits:into:)``; `input` must hold exactly ⌈count · bits / 8⌉ bytes.
    public static func unpack<Code: QuantizedCode>(
        _ input: UnsafeBufferPointer<UInt8>, bits: Int, signed: Bool, into output: UnsafeMutableBufferPointer<Code>
    ) throws(QuantizationError) {
        try check(bits)
        let n = byteCount(codes: output.count, bits: bits)
        guard input.count == n else { throw .countMismatch(expected: n, actual: input.count, what: "packed bytes") }
        let perByte = 8 / bits
        let mask = Int32((1 << bits) - 1)
        let shift = Int32(32 - bits)
        for i in 0..<output.count {
            let field = Int32(input[i / perByte] >> UInt8((i % perByte) * bits)) & mask
            // Sign-extend by shifting the field to the top of an Int32 and back (arithmetic shift).
            output[i] = Code(truncatingIfNeeded: signed ? (field << shift) >> shift : field)
        }
    }

    /// Packs an array of codes; see ``pack(_:bits:into:)``.
    public static func pack<Code: QuantizedCode>(_ codes: [Code], bits: Int) throws(QuantizationError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount(codes: codes.count, bits: bits))
        try codes.withUnsafeBufferPointer { (c) throws(QuantizationError) in
            try out.withUnsafeMutableBufferPointer { (o) throws(QuantizationError) in try pack(c, bits: bits, into: o) }
        }
        return out
    }

    /// Unpacks `count` codes; see ``unpack(_:bits:signed:into:)``.
    public static func unpack<Code: QuantizedCode>(
        _ bytes: [UInt8], bits: Int, signed: Bool, count: Int, as code: Code.Type = Code.self
    ) throws(QuantizationError) -> [Code] {
        var out = [Code](repeating: 0, count: count)
        try bytes.withUnsafeBufferPointer { (b) throws(QuantizationError) in
            try out.withUnsafeMutableBufferPointer { (o) throws(QuantizationError) in
                try unpack(b, bits: bits, signed: signed, into: o)
            }
        }
        return out
    }
}

extension QuantizationParameters {
    /// Quantizes and packs sub-byte codes (format widths 2, 4 or 8) in the ``PackedCodes`` layout.
    /// Processes the tensor in one pass into a temporary `Int32` code buffer of the tensor's size.
    /// - Throws: ``QuantizationError/unsupportedPackedWidth(_:)`` for other widths, or count mismatches.
    public func quantizePacked(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(QuantizationError) {
        try PackedCodes.check(format.bits)
        var codes = [Int32](repeating: 0, count: input.count)
        try codes.withUnsafeMutableBufferPointer { (c) throws(QuantizationError) in
            try quantize(input, into: c)
            try PackedCodes.pack(UnsafeBufferPointer(c), bits: format.bits, into: output)
        }
    }

    /// Unpacks and dequantizes sub-byte codes written by ``quantizePacked(_:into:)``.
    public func dequantizePacked(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>
    ) throws(QuantizationError) {
        try PackedCodes.check(format.bits)
        var codes = [Int32](repeating: 0, count: output.count)
        try codes.withUnsafeMutableBufferPointer { (c) throws(QuantizationError) in
            try PackedCodes.unpack(input, bits: format.bits, signed: format.isSigned, into: c)
            try dequantize(UnsafeBufferPointer(c), into: output)
        }
    }
}
