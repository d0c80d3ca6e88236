import PTQKit

/// Benchmarks of QuantCore's float formats: bulk FP8 E4M3FN encode (Float → UInt8 codes) and table
/// decode (codes → Float), scaled per-channel FP8 quantize/dequantize and MXFP4 quantize, over 64 Mi
/// elements in memory.
enum FloatFormatBenchmarks {
    /// Runs every float-format benchmark (best of 5 passes each).
    static func run() throws {
        let count = 64 << 20
        var random = SplitMix64(state: 7)
        // SplitMix64 values in about ±512, so every E4M3FN binade and saturation are exercised.
        let values = (0..<count).map { _ -> Float in
            Float(Int64(bitPattern: random.next()) >> 40) / Float(1 << 14)
        }
        let codec = FloatFormatCodec(format: .fp8E4M3FN, options: .saturating)
        var codes = [UInt8](repeating: 0, count: count)
        var decoded = [Float](repeating: 0, count: count)
        try measure("fp8 E4M3FN encode, Float32 bytes in", bytes: count * 4) {
            try values.withUnsafeBufferPointer { source throws(FloatFormatError) in
                try codes.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.encode(source, into: out)
                }
            }
        }
        try measure("fp8 E4M3FN decode, Float32 bytes out", bytes: count * 4) {
            try codes.withUnsafeBufferPointer { source throws(FloatFormatError) in
                try decoded.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                    try codec.decode(source, into: out)
                }
            }
        }
        let quantizer = try FloatFormatQuantizer(format: .fp8E4M3FN, granularity: .perChannel(axis: 0))
        let shape = [4096, count / 4096]
        var quantized = FloatFormatQuantizer.Quantized(codes: [], scales: [], shape: shape)
        try measure("fp8 E4M3FN per-channel quantize (amax + encode), Float32 bytes in", bytes: count * 4) {
            quantized = try values.withUnsafeBufferPointer { x throws(FloatFormatError) in
                try quantizer.quantize(x, shape: shape)
            }
        }
        try measure("fp8 E4M3FN per-channel dequantize, Float32 bytes out", bytes: count * 4) {
            try decoded.withUnsafeMutableBufferPointer { out throws(FloatFormatError) in
                try quantizer.dequantize(quantized, into: out)
            }
        }
        let mx = try FloatFormatQuantizer(
            format: .fp4E2M1, granularity: .perGroup(axis: 1, size: 32), scaleRule: .powerOfTwo)
        try measure("fp4 E2M1 MX (groups of 32, power-of-two scales) quantize, Float32 bytes in", bytes: count * 4) {
            quantized = try values.withUnsafeBufferPointer { x throws(FloatFormatError) in
                try mx.quantize(x, shape: shape)
            }
        }
        precondition(decoded.count == count && codes.count == count)
    }

    private static func measure(_ name: String, bytes: Int, _ body: () throws -> Void) throws {
        var best = Duration.seconds(1_000)
        for _ in 0..<5 {
            var failure: (any Error)?
            let elapsed = ContinuousClock().measure {
                do { try body() } catch { failure = error }
            }
            if let failure { throw failure }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        let rate = Double(bytes) / seconds / 1e9
        print("\(name): \((seconds * 1000).rounded()) ms, \((rate * 100).rounded() / 100) GB/s")
    }
}
