public import QuantCore

extension RangeTarget {
    /// The grid of `scheme`: its format's code range and symmetry (ONNX Runtime's signed symmetric
    /// grids are narrowed to `[−qmax, qmax]`, as its `compute_scale_zp` does).
    public init(_ scheme: AffineScheme) {
        let symmetric = scheme.symmetry == .symmetric
        var qmin = Int(scheme.format.qmin)
        let qmax = Int(scheme.format.qmax)
        if scheme.profile == .onnxruntime && symmetric && scheme.format.isSigned { qmin = -qmax }
        self.init(bits: scheme.format.bits, symmetric: symmetric, qmin: qmin, qmax: qmax)
    }
}

extension ObservedRanges {
    /// Quantization parameters for these ranges under `scheme` (its formulas, profile and
    /// degenerate-range policy; empty slots, reported as `[0, 0]`, get the policy's finite
    /// parameters and a warning).
    ///
    /// - Parameters:
    ///   - scheme: the quantization scheme whose formulas and policies apply.
    ///   - shape: the tensor's shape for the returned layout; `nil` uses the observer's
    ///     canonical layout. Either way its parameter shape must equal `slotShape`.
    /// - Returns: one scale and zero-point per slot.
    /// - Throws: `ObserverError.incompatibleShape` when the scheme's granularity or `shape` does not
    ///   match what was observed.
    public func parameters(_ scheme: AffineScheme, shape: [Int]? = nil) throws -> QuantizationParameters {
        let tensorShape = shape ?? layout.shape
        let target: ParameterLayout
        do {
            target = try scheme.granularity.layout(shape: tensorShape)
        } catch {
            throw ObserverError.incompatibleShape(shape: tensorShape, expected: "\(scheme.granularity): \(error)")
        }
        guard target.granularity == layout.granularity, target.parameterShape == layout.parameterShape else {
            throw ObserverError.incompatibleShape(
                shape: tensorShape,
                expected:
                    """
                    observed \(layout.granularity) with parameter shape \(layout.parameterShape), scheme asks \
                    \(target.granularity) with \(target.parameterShape)
                    """
            )
        }
        do {
            return try scheme.parameters(mins: low, maxs: high, shape: tensorShape)
        } catch {
            throw ObserverError.incompatibleShape(shape: tensorShape, expected: "\(error)")
        }
    }
}

extension Observer {
    /// Quantization parameters for `scheme`: the calibrated ranges for the scheme's grid
    /// (`ranges(for: RangeTarget(scheme))`), turned into scales and zero points by QuantCore.
    public func parameters(for scheme: AffineScheme, shape: [Int]? = nil) throws -> QuantizationParameters {
        try ranges(for: RangeTarget(scheme)).parameters(scheme, shape: shape)
    }
}
