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

extension PackedCodes {
    /// Writes `n` codes (low `bits` bits of each byte of `codes`) into the packed stream `output` at
    /// element offset `first`. Whole bytes are written directly; a shared first or last byte is
    /// updated field by field so neighbouring runs can be packed independently.
    static func write(
        _ codes: UnsafePointer<UInt8>, _ n: Int, bits: Int, into output: UnsafeMutablePointer<UInt8>, at first: Int
    ) {
        let perByte = 8 / bits
        let mask = UInt8(truncatingIfNeeded: (1 << bits) - 1)
        var i = 0
        func field(_ j: Int) {  // read-modify-write of one field
            let e = first + j
            let shift = UInt8((e % perByte) * bits)
            let b = e / perByte
            output[b] = (output[b] & ~(mask << shift)) | ((codes[j] & mask) << shift)
        }
        while i < n && (first + i) % perByte != 0 {
            field(i)
            i += 1
        }
        let whole = (n - i) / perByte
        let out = output + (first + i) / perByte
        let c = codes + i
        switch bits {
        case 4:
            for k in 0..<whole { out[k] = (c[2 * k] & 0xF) | (c[2 * k + 1] << 4) }
        case 2:
            for k in 0..<whole {
                out[k] = (c[4 * k] & 3) | (c[4 * k + 1] & 3) << 2 | (c[4 * k + 2] & 3) << 4 | (c[4 * k + 3] << 6)
            }
        case 1:
            for k in 0..<whole {
                var byte: UInt8 = 0
                for f in 0..<8 { byte |= (c[8 * k + f] & 1) << UInt8(f) }
                out[k] = byte
            }
        default:
            for k in 0..<whole { out[k] = c[k] }
        }
        i += whole * perByte
        while i < n {
            field(i)
            i += 1
        }
    }

    /// Reads `n` codes at element offset `first` of a packed stream into `codes`, sign-extended when
    /// `signed` (as Int8 bit patterns; unsigned codes stay zero-extended).
    static func read(
        _ input: UnsafePointer<UInt8>, at first: Int, _ n: Int, bits: Int, signed: Bool,
        into codes: UnsafeMutablePointer<UInt8>
    ) {
        let perByte = 8 / bits
        let up = UInt8(8 - bits)
        var i = 0
        func field(_ j: Int) {
            let e = first + j
            let top = input[e / perByte] << UInt8(8 - (e % perByte + 1) * bits)  // field in the top bits
            codes[j] = signed ? UInt8(bitPattern: Int8(bitPattern: top) >> Int8(up)) : top >> up
        }
        while i < n && (first + i) % perByte != 0 {
            field(i)
            i += 1
        }
        let whole = (n - i) / perByte
        let src = input + (first + i) / perByte
        let c = codes + i
        if bits == 4 {
            if signed {
                for k in 0..<whole {
                    let b = src[k]
                    c[2 * k] = UInt8(bitPattern: Int8(bitPattern: b << 4) >> 4)
                    c[2 * k + 1] = UInt8(bitPattern: Int8(bitPattern: b) >> 4)
                }
            } else {
                for k in 0..<whole {
                    c[2 * k] = src[k] & 0xF
                    c[2 * k + 1] = src[k] >> 4
                }
            }
            i += whole * 2
        } else if bits == 8 {
            for k in 0..<whole { c[k] = src[k] }
            i += whole
        }
        while i < n {
            field(i)
            i += 1
        }
    }
}

/// Elements per chunk of the packed kernels (codes pass through an L1-resident scratch buffer).
let packedChunk = 4096

/// Calls `body(offset, length)` for consecutive chunks of at most ``packedChunk`` elements of a run.
@inline(__always)
func forEachChunk(_ count: Int, _ body: (Int, Int) -> Void) {
    var c0 = 0
    while c0 < count {
        let n = Swift.min(packedChunk, count - c0)
        body(c0, n)
        c0 += n
    }
}

/// Quantize into packed storage: each run is quantized chunk by chunk into a scratch byte buffer,
/// then packed at its element offset.
struct PackedQuantizeVisitor: AffineRunVisitor {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<UInt8>
    let bits: Int
    let rounder: AffineRounder
    let scratch: UnsafeMutablePointer<UInt8>

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        forEachChunk(count) { c0, n in
            var q = QuantizeVisitor<UInt8>(input: input + start + c0, output: scratch, rounder: rounder)
            q.uniform(start: 0, count: n, scale: scale, zeroPoint: zeroPoint)
            PackedCodes.write(scratch, n, bits: bits, into: output, at: start + c0)
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        forEachChunk(count) { c0, n in
            var q = QuantizeVisitor<UInt8>(input: input + start + c0, output: scratch, rounder: rounder)
            q.varying(start: 0, count: n, scales: scales + c0, zeroPoints: zeroPoints + c0)
            PackedCodes.write(scratch, n, bits: bits, into: output, at: start + c0)
        }
    }
}

/// Dequantize from packed storage: unpack a chunk into scratch codes of type C, then dequantize it.
struct PackedDequantizeVisitor<C: QuantizedCode>: AffineRunVisitor {
    let input: UnsafePointer<UInt8>
    let output: UnsafeMutablePointer<Float>
    let bits: Int
    let signed: Bool
    let scratch: UnsafeMutablePointer<UInt8>

    /// Unpacks elements `first..<first+n` into the scratch buffer and returns a dequantizer writing at `first`.
    @inline(__always)
    func unpacked(_ first: Int, _ n: Int) -> DequantizeVisitor<C> {
        PackedCodes.read(input, at: first, n, bits: bits, signed: signed, into: scratch)
        return DequantizeVisitor<C>(
            input: UnsafeRawPointer(scratch).assumingMemoryBound(to: C.self), output: output + first)
    }

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        forEachChunk(count) { c0, n in
            var d = unpacked(start + c0, n)
            d.uniform(start: 0, count: n, scale: scale, zeroPoint: zeroPoint)
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        forEachChunk(count) { c0, n in
            var d = unpacked(start + c0, n)
            d.varying(start: 0, count: n, scales: scales + c0, zeroPoints: zeroPoints + c0)
        }
    }
}

extension QuantizationParameters {
    /// Quantizes and packs codes of a 2-, 4- or 8-bit format in the ``PackedCodes`` layout, in one
    /// pass through an L1-sized scratch buffer.
    /// - Throws: ``QuantizationError/unsupportedPackedWidth(_:)`` for other widths; count mismatches.
    public func quantizePacked(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(QuantizationError) {
        try PackedCodes.check(format.bits)
        try checkCount(input.count, "quantize input")
        let n = PackedCodes.byteCount(codes: input.count, bits: format.bits)
        guard output.count == n else { throw .countMismatch(expected: n, actual: output.count, what: "packed bytes") }
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        if input.count % (8 / format.bits) != 0 { y[n - 1] = 0 }  // unused high fields of a partial byte
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: packedChunk)
        defer { scratch.deallocate() }
        var visitor = PackedQuantizeVisitor(
            input: x, output: y, bits: format.bits, rounder: AffineRounder(self), scratch: scratch)
        walkRuns(&visitor)
    }

    /// Unpacks and dequantizes codes written by ``quantizePacked(_:into:)``.
    public func dequantizePacked(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>
    ) throws(QuantizationError) {
        try PackedCodes.check(format.bits)
        try checkCount(output.count, "dequantize output")
        let n = PackedCodes.byteCount(codes: output.count, bits: format.bits)
        guard input.count == n else { throw .countMismatch(expected: n, actual: input.count, what: "packed bytes") }
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: packedChunk)
        defer { scratch.deallocate() }
        if format.isSigned {
            var visitor = PackedDequantizeVisitor<Int8>(
                input: x, output: y, bits: format.bits, signed: true, scratch: scratch)
            walkRuns(&visitor)
        } else {
            var visitor = PackedDequantizeVisitor<UInt8>(
                input: x, output: y, bits: format.bits, signed: false, scratch: scratch)
            walkRuns(&visitor)
        }
    }
}
