// Public bulk entry points of the affine kernels (AffineKernels.swift): checks, then one walk.

extension QuantizationParameters {
    /// Checks a buffer length against the layout.
    func checkCount(_ n: Int, _ what: String) throws(QuantizationError) {
        guard n == layout.count else { throw .countMismatch(expected: layout.count, actual: n, what: what) }
    }

    /// Quantizes a row-major tensor of ``shape``: `output[i] = clamp(round(x_i/s) + z, qmin, qmax)`
    /// with the parameters of element i. NaN gives the zero-point; ±Inf saturate.
    ///
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` for wrong lengths,
    ///   ``QuantizationError/codeTypeTooNarrow(codeType:qmin:qmax:)`` if `Code` cannot hold the codes.
    public func quantize<Code: QuantizedCode>(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Code>
    ) throws(QuantizationError) {
        try checkCount(input.count, "quantize input")
        try checkCount(output.count, "quantize output")
        guard format.fits(in: Code.self) else {
            throw .codeTypeTooNarrow(codeType: "\(Code.self)", qmin: format.qmin, qmax: format.qmax)
        }
        guard let x = input.baseAddress, let q = output.baseAddress else { return }
        // Dispatch to a specialization per concrete code type (the generic entry point itself is not
        // specialized across modules).
        let raw = UnsafeMutableRawPointer(q)
        switch Code.self {
        case is Int8.Type: quantizeKernel(x, raw.assumingMemoryBound(to: Int8.self))
        case is UInt8.Type: quantizeKernel(x, raw.assumingMemoryBound(to: UInt8.self))
        case is Int16.Type: quantizeKernel(x, raw.assumingMemoryBound(to: Int16.self))
        case is UInt16.Type: quantizeKernel(x, raw.assumingMemoryBound(to: UInt16.self))
        case is Int32.Type: quantizeKernel(x, raw.assumingMemoryBound(to: Int32.self))
        default: quantizeKernel(x, q)
        }
    }

    func quantizeKernel<C: QuantizedCode>(_ x: UnsafePointer<Float>, _ q: UnsafeMutablePointer<C>) {
        var visitor = QuantizeVisitor<C>(input: x, output: q, rounder: AffineRounder(self))
        walkRuns(&visitor)
    }

    /// Dequantizes codes: `output[i] = s · (q_i − z)` with the parameters of element i.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` for wrong lengths.
    public func dequantize<Code: QuantizedCode>(
        _ input: UnsafeBufferPointer<Code>, into output: UnsafeMutableBufferPointer<Float>
    ) throws(QuantizationError) {
        try checkCount(input.count, "dequantize input")
        try checkCount(output.count, "dequantize output")
        guard let q = input.baseAddress, let y = output.baseAddress else { return }
        let raw = UnsafeRawPointer(q)
        switch Code.self {
        case is Int8.Type: dequantizeKernel(raw.assumingMemoryBound(to: Int8.self), y)
        case is UInt8.Type: dequantizeKernel(raw.assumingMemoryBound(to: UInt8.self), y)
        case is Int16.Type: dequantizeKernel(raw.assumingMemoryBound(to: Int16.self), y)
        case is UInt16.Type: dequantizeKernel(raw.assumingMemoryBound(to: UInt16.self), y)
        case is Int32.Type: dequantizeKernel(raw.assumingMemoryBound(to: Int32.self), y)
        default: dequantizeKernel(q, y)
        }
    }

    func dequantizeKernel<C: QuantizedCode>(_ q: UnsafePointer<C>, _ y: UnsafeMutablePointer<Float>) {
        var visitor = DequantizeVisitor<C>(input: q, output: y)
        walkRuns(&visitor)
    }

    /// Fake-quantizes: `output[i] = s · (clamp(round(x_i/s) + z, qmin, qmax) − z)`, bit-identical to
    /// ``dequantize(_:into:)`` of ``quantize(_:into:)``. `output` may be the same memory as `input`.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` for wrong lengths.
    public func fakeQuantize(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
    ) throws(QuantizationError) {
        try checkCount(input.count, "fake-quantize input")
        try checkCount(output.count, "fake-quantize output")
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        var visitor = FakeQuantizeVisitor(input: x, output: y, rounder: AffineRounder(self))
        walkRuns(&visitor)
    }

    /// Quantizes an array; see ``quantize(_:into:)``.
    public func quantize<Code: QuantizedCode>(_ input: [Float], as code: Code.Type = Code.self)
        throws(QuantizationError) -> [Code]
    {
        var output = [Code](repeating: 0, count: input.count)
        try input.withUnsafeBufferPointer { (x) throws(QuantizationError) in
            try output.withUnsafeMutableBufferPointer { (q) throws(QuantizationError) in try quantize(x, into: q) }
        }
        return output
    }

    /// Dequantizes an array; see ``dequantize(_:into:)``.
    public func dequantize<Code: QuantizedCode>(_ input: [Code]) throws(QuantizationError) -> [Float] {
        var output = [Float](repeating: 0, count: input.count)
        try input.withUnsafeBufferPointer { (q) throws(QuantizationError) in
            try output.withUnsafeMutableBufferPointer { (y) throws(QuantizationError) in try dequantize(q, into: y) }
        }
        return output
    }

    /// Fake-quantizes an array; see ``fakeQuantize(_:into:)``.
    public func fakeQuantize(_ input: [Float]) throws(QuantizationError) -> [Float] {
        var output = [Float](repeating: 0, count: input.count)
        try input.withUnsafeBufferPointer { (x) throws(QuantizationError) in
            try output.withUnsafeMutableBufferPointer { (y) throws(QuantizationError) in try fakeQuantize(x, into: y) }
        }
        return output
    }
}
