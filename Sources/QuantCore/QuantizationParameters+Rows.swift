extension QuantizationParameters {
    /// The parameters of rows `rows` (indices along axis 0) of the tensor, as parameters of a tensor of its
    /// own of shape `[rows.count] + shape[1...]`: element `(r, …)` of that block uses the scale and zero point
    /// of element `(rows.lowerBound + r, …)` of the tensor, so quantizing (dequantizing, fake-quantizing) the
    /// block with them gives exactly those rows' results of the whole tensor. For streaming a tensor in
    /// blocks of rows.
    ///
    /// Parameters of the block, by granularity (`a` the axis, `p` the tensor's parameters):
    /// - per tensor, per channel along `a ≥ 1`: `p` itself;
    /// - per channel along 0: `p[rows]`;
    /// - per group of `g` along 0: groups `⌊lo/g⌋ ..< ⌈hi/g⌉`, each `inner` parameters (`lo` a multiple of `g`);
    /// - per group along `a ≥ 1`: the `rows.count · P/shape[0]` parameters from `lo · P/shape[0]` (`P` all of
    ///   them: row-major over the parameter shape, whose first extent is `shape[0]`).
    ///
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` when `rows` is not within
    ///   `0..<shape[0]` (a scalar has the one row `0..<1`) or, per group along 0, does not start at a group
    ///   boundary.
    public func rows(_ rows: Range<Int>) throws(QuantizationError) -> QuantizationParameters {
        let shape = layout.shape
        guard let extent = shape.first else {
            guard rows == 0..<1 else { throw .countMismatch(expected: 1, actual: rows.upperBound, what: "rows") }
            return self
        }
        guard rows.lowerBound >= 0, rows.upperBound <= extent else {
            throw .countMismatch(expected: extent, actual: rows.upperBound, what: "rows of shape \(shape)")
        }
        let blockShape = [rows.count] + shape.dropFirst()
        let blockLayout = try ParameterLayout(granularity: layout.granularity, shape: blockShape)
        let parameters: Range<Int>
        switch layout.granularity {
        case .perTensor:
            parameters = 0..<1
        case .perChannel(let axis):
            parameters = axis == 0 ? rows : 0..<scales.count
        case .perGroup(let axis, let size):
            if axis == 0 {
                guard rows.lowerBound % size == 0 else {
                    throw .countMismatch(
                        expected: rows.lowerBound - rows.lowerBound % size, actual: rows.lowerBound,
                        what: "first row of a block (a group boundary)")
                }
                let first = rows.lowerBound / size * layout.inner
                parameters = first..<(first + blockLayout.parameterCount)
            } else {
                let perRow = extent > 0 ? scales.count / extent : 0
                parameters = (rows.lowerBound * perRow)..<(rows.upperBound * perRow)
            }
        }
        return QuantizationParameters(
            unchecked: format, rounding: rounding, layout: blockLayout, scales: Array(scales[parameters]),
            zeroPoints: Array(zeroPoints[parameters]), multipliesByReciprocal: multipliesByReciprocal, warnings: [])
    }
}
