/// Counts elements beyond the real values of the extreme codes, x < s·(qmin − z) or x > s·(qmax − z).
struct ClippingCounter: AffineRunVisitor {
    let input: UnsafePointer<Float>
    let qmin: Float, qmax: Float
    var clipped = 0

    @inline(__always)
    static func count(_ x: SIMD16<Float>, lo: SIMD16<Float>, hi: SIMD16<Float>) -> Float {
        let one = SIMD16<Float>(repeating: 1)
        return SIMD16<Float>().replacing(with: one, where: (x .< lo) .| (x .> hi)).sum()
    }

    mutating func uniform(start: Int, count: Int, scale: Float, zeroPoint: Int32) {
        let lo = scale * (qmin - Float(zeroPoint))
        let hi = scale * (qmax - Float(zeroPoint))
        let x = UnsafeRawPointer(input + start)
        var j = 0
        var n: Float = 0
        while j + 16 <= count {
            n += Self.count(
                x.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), lo: .init(repeating: lo),
                hi: .init(repeating: hi))
            j += 16
            if j % (1 << 20) == 0 {  // keep the Float count exact (< 2^24)
                clipped += Int(n)
                n = 0
            }
        }
        clipped += Int(n)
        while j < count {
            let v = input[start + j]
            if v < lo || v > hi { clipped += 1 }
            j += 1
        }
    }

    mutating func varying(start: Int, count: Int, scales: UnsafePointer<Float>, zeroPoints: UnsafePointer<Float>) {
        for j in 0..<count {
            let lo = scales[j] * (qmin - zeroPoints[j])
            let hi = scales[j] * (qmax - zeroPoints[j])
            let v = input[start + j]
            if v < lo || v > hi { clipped += 1 }
        }
    }
}

extension QuantizationParameters {
    /// Error metrics of fake-quantizing `input` with these parameters, including the clipping
    /// fraction. Allocates one scratch tensor per call.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` for a wrong length.
    public func errorMetrics(of input: UnsafeBufferPointer<Float>) throws(QuantizationError) -> ErrorMetrics {
        try checkCount(input.count, "metrics input")
        var fake = [Float](repeating: 0, count: input.count)
        var metrics = try fake.withUnsafeMutableBufferPointer { (y) throws(QuantizationError) in
            try fakeQuantize(input, into: y)
            return try ErrorMetrics(reference: input, reconstruction: UnsafeBufferPointer(y))
        }
        guard let x = input.baseAddress else { return metrics }
        var counter = ClippingCounter(input: x, qmin: Float(format.qmin), qmax: Float(format.qmax))
        walkRuns(&counter)
        metrics.clippedCount = counter.clipped
        return metrics
    }

    /// Error metrics of fake-quantizing an array; see ``errorMetrics(of:)-(UnsafeBufferPointer<Float>)``.
    public func errorMetrics(of input: [Float]) throws(QuantizationError) -> ErrorMetrics {
        try input.withUnsafeBufferPointer { (x) throws(QuantizationError) in try errorMetrics(of: x) }
    }
}
