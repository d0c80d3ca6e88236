import PTQKit

/// `ptq-bench quant`: throughput of the integer affine kernels on one core over a 256 MiB Float32
/// buffer, with memcpy of the same buffer as the baseline. Each line is the median of 7 timed runs after
/// one warm-up run (in-process ContinuousClock). "in GB/s" counts the bytes the operation reads (Float32
/// for quantize, codes for dequantize, both tensors for the metrics); "f32 GB/s" counts one Float32 tensor.
enum QuantBench {
    static let count = 64 << 20  // 256 MiB of Float32
    static let shape = [4096, count / 4096]

    static func run(arguments: [String]) throws {
        print(
            """
            quant: \(count) Float32 elements (\((count * 4) >> 20) MiB), shape \(shape), one core, median of 7 after \
            1 warm-up
            """
        )
        print("operation                                       ms   in GB/s  f32 GB/s")
        var random = SplitMix64(state: 42)
        let x = (0..<count).map { _ -> Float in
            Float(Int64(bitPattern: random.next()) >> 40) / Float(1 << 21)  // about ±4
        }
        var copy = [Float](repeating: 0, count: count)
        report("memcpy (baseline)", inBytes: count * 4) {
            x.withUnsafeBytes { src in
                copy.withUnsafeMutableBytes { dst in
                    if let from = src.baseAddress { dst.baseAddress?.copyMemory(from: from, byteCount: src.count) }
                }
            }
        }

        let int8 = IntegerFormat.int8
        try codes(
            "int8 per-tensor", x: x,
            try AffineScheme(format: int8, symmetry: .symmetric).parameters(fitting: x, shape: shape), as: Int8.self)
        try codes(
            "uint8 asym per-tensor pytorch", x: x,
            try AffineScheme(format: .uint8, symmetry: .asymmetric, profile: .pytorch).parameters(
                fitting: x, shape: shape),
            as: UInt8.self)
        try codes(
            "int8 per-channel (axis 0)", x: x,
            try AffineScheme(format: int8, granularity: .perChannel(axis: 0)).parameters(fitting: x, shape: shape),
            as: Int8.self)
        try codes(
            "int8 per-channel (axis 1)", x: x,
            try AffineScheme(format: int8, granularity: .perChannel(axis: 1)).parameters(fitting: x, shape: shape),
            as: Int8.self)
        let int4 = try AffineScheme(format: .int4, symmetry: .asymmetric, granularity: .perGroup(axis: 1, size: 128))
            .parameters(fitting: x, shape: shape)
        try codes("int4 per-group 128 (Int8)", x: x, int4, as: Int8.self)
        var packed = [UInt8](repeating: 0, count: PackedCodes.byteCount(codes: count, bits: 4))
        var back = [Float](repeating: 0, count: count)
        try measure("int4 per-group 128 quantize packed", inBytes: count * 4) {
            try x.withUnsafeBufferPointer { src in
                try packed.withUnsafeMutableBufferPointer { dst in try int4.quantizePacked(src, into: dst) }
            }
        }
        try measure("int4 per-group 128 dequantize packed", inBytes: packed.count) {
            try packed.withUnsafeBufferPointer { src in
                try back.withUnsafeMutableBufferPointer { dst in try int4.dequantizePacked(src, into: dst) }
            }
        }
        try measure("error metrics of (x, xhat), one pass", inBytes: count * 8) {
            _ = try x.withUnsafeBufferPointer { a in
                try back.withUnsafeBufferPointer { b in try ErrorMetrics(reference: a, reconstruction: b) }
            }
        }
        precondition(copy.count == count && back.count == count)
    }

    /// Quantize, dequantize and fake-quantize of one parameter set with codes of type C.
    static func codes<C: QuantizedCode>(_ name: String, x: [Float], _ params: QuantizationParameters, as: C.Type) throws
    {
        var q = [C](repeating: 0, count: count)
        var y = [Float](repeating: 0, count: count)
        try measure("\(name) quantize", inBytes: count * 4) {
            try x.withUnsafeBufferPointer { src in
                try q.withUnsafeMutableBufferPointer { dst in try params.quantize(src, into: dst) }
            }
        }
        try measure("\(name) dequantize", inBytes: count * MemoryLayout<C>.size) {
            try q.withUnsafeBufferPointer { src in
                try y.withUnsafeMutableBufferPointer { dst in try params.dequantize(src, into: dst) }
            }
        }
        try measure("\(name) fake-quantize", inBytes: count * 4) {
            try x.withUnsafeBufferPointer { src in
                try y.withUnsafeMutableBufferPointer { dst in try params.fakeQuantize(src, into: dst) }
            }
        }
    }

    static func measure(_ name: String, inBytes: Int, _ body: () throws -> Void) throws {
        var failure: (any Error)?
        report(name, inBytes: inBytes) {
            do { try body() } catch { failure = error }
        }
        if let failure { throw failure }
    }

    static func report(_ name: String, inBytes: Int, _ body: () -> Void) {
        body()  // warm-up
        var times: [Double] = []
        for _ in 0..<7 {
            let d = ContinuousClock().measure(body)
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        let median = times.sorted()[times.count / 2]
        func gbps(_ bytes: Int) -> String {
            let v = (Double(bytes) / median / 1e9 * 100).rounded() / 100
            return String(repeating: " ", count: max(0, 8 - "\(v)".count)) + "\(v)"
        }
        let ms = "\((median * 10_000).rounded() / 10)"
        let padded = name.padding(toLength: 44, withPad: " ", startingAt: 0)
        print(
            "\(padded)\(String(repeating: " ", count: max(0, 7 - ms.count)))\(ms)  \(gbps(inBytes))  \(gbps(count * 4))"
        )
    }
}
