internal import CMomentKernels

extension QuantizationParameters {
    /// Whether ``walkRuns(_:)`` visits this layout in uniform runs only (one scale and zero point per run of
    /// contiguous elements): per tensor; per channel with `inner ≥ 16` or one channel; per group along the
    /// last axis (`inner == 1`) with groups of at least 16. These are the runs ``forEachUniformRun(_:)`` gives.
    var hasUniformRuns: Bool {
        let l = layout
        switch l.granularity {
        case .perTensor: return true
        case .perChannel: return l.inner >= 16 || l.length == 1
        case .perGroup: return l.inner == 1 && l.groupSize >= 16
        }
    }

    /// Calls `body(start, count, k)` for each uniform run of ``walkRuns(_:)`` in element order: elements
    /// `start..<start + count` use parameter k. Only for layouts with ``hasUniformRuns``.
    func forEachUniformRun(_ body: (_ start: Int, _ count: Int, _ parameter: Int) -> Void) {
        let l = layout
        guard l.count > 0 else { return }
        switch l.granularity {
        case .perTensor:
            body(0, l.count, 0)
        case .perChannel:
            for o in 0..<l.outer {
                for a in 0..<l.length { body((o * l.length + a) * l.inner, l.inner, a) }
            }
        case .perGroup:
            let (groups, size) = (l.groupsPerAxis, l.groupSize)
            for o in 0..<l.outer {
                for g in 0..<groups {
                    let first = g * size
                    body(o * l.length + first, Swift.min(size, l.length - first), o * groups + g)
                }
            }
        }
    }

    /// The C kernel's description of parameter k's runs (``ptqkit_fused_measure``): ``AffineRounder``'s
    /// (scale s, clamp bounds `qmin − z` and `qmax − z`, the quotient x · (1/s) or x / s, the rounding rule)
    /// with the clipping bounds (``clippingBounds(parameter:)``).
    func affineRun(parameter k: Int) -> ptqkit_affine_run {
        var run = AffineRounder(self).run(scale: scales[k], zeroPoint: zeroPoints[k])
        let clip = clippingBounds(parameter: k)
        (run.clip_low, run.clip_high) = (clip.lowerBound, clip.upperBound)
        return run
    }
}

extension ErrorMetrics.Stream {
    /// Adds the pairs (x_i, x̂_i) of `reference` and its fake-quantization with `parameters`,
    /// `x̂ = s·(clamp(round(x/s) + z, qmin, qmax) − z)`, in one pass without a reconstruction buffer, and
    /// returns how many finite x_i are clipped (outside ``QuantizationParameters/clippingBounds(parameter:)``).
    /// Bit-identical to ``QuantizationParameters/fakeQuantize(_:into:)`` then ``add(reference:reconstruction:)``
    /// and counting the clipped values; `nil` (nothing added) for a layout without
    /// ``QuantizationParameters/hasUniformRuns``, which the caller measures that way.
    ///
    /// Each run's whole groups of four go through `ptqkit_fused_measure` (x̂ in registers, the error lanes,
    /// the clipped count); a group with a NaN or ±Inf, a group spanning two runs and the last n mod 4 pairs
    /// get x̂ from ``AffineRounder/scalar(_:_:_:)`` (x̂ = s · r) and take the path ``add(reference:reconstruction:)``
    /// gives them: `ptqkit_error_lanes_add` on a whole group of finite pairs, the scalar sums otherwise.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` if `reference` does not match the
    ///   layout, or if a block follows one that was not a multiple of 4 pairs.
    public mutating func addFakeQuantized(
        reference: UnsafeBufferPointer<Float>, parameters p: QuantizationParameters
    ) throws(QuantizationError) -> Int? {
        try p.checkCount(reference.count, "fake-quantize input")
        guard p.hasUniformRuns else { return nil }
        try checkNextBlock(count: reference.count)
        let n = reference.count
        guard let x = reference.baseAddress else { return 0 }
        let rounder = AffineRounder(p)
        var clipped = 0
        // The group of four being gathered pair by pair (x, x̂), and how many it holds.
        var gx = SIMD4<Float>()
        var gy = SIMD4<Float>()
        var filled = 0
        var scalar = self.scalar
        lanes.withUnsafeMutableBufferPointer { l in
            guard let lanes = l.baseAddress else { return }
            p.forEachUniformRun { start, count, k in
                var run = p.affineRun(parameter: k)
                let (s, z) = (p.scales[k], p.zeroPoints[k])
                // Element j into the gathered group; a full group goes where Stream.add would put it.
                func gather(_ j: Int) {
                    let v = x[j]
                    if v.isFinite && (v < run.clip_low || v > run.clip_high) { clipped += 1 }
                    gx[filled] = v
                    gy[filled] = s * rounder.scalar(v, s, z)
                    filled += 1
                    guard filled == 4 else { return }
                    filled = 0
                    let added = withUnsafeBytes(of: gx) { xb in
                        withUnsafeBytes(of: gy) { yb in
                            ptqkit_error_lanes_add(
                                xb.baseAddress?.assumingMemoryBound(to: Float.self),
                                yb.baseAddress?.assumingMemoryBound(to: Float.self), 4, lanes)
                        }
                    }
                    if added == 0 { for i in 0..<4 { scalar.addScalar(Double(gx[i]), Double(gy[i])) } }
                }
                let end = start + count
                var i = start
                // The rest of a group begun in the previous run.
                while filled != 0 && i < end {
                    gather(i)
                    i += 1
                }
                // Here i is a multiple of 4 (or the run is used up): whole groups, a NaN or ±Inf group by group.
                while i + 4 <= end {
                    var c = 0
                    i += ptqkit_fused_measure(x + i, end - i, &run, lanes, &c)
                    clipped += c
                    guard i + 4 <= end else { break }
                    for j in i..<(i + 4) { gather(j) }
                    i += 4
                }
                while i < end {
                    gather(i)
                    i += 1
                }
            }
        }
        // The last n mod 4 pairs: the scalar path, as Stream.add's tail.
        for i in 0..<filled { scalar.addScalar(Double(gx[i]), Double(gy[i])) }
        self.scalar = scalar
        seen += n
        if n % 4 != 0 { ended = true }
        return clipped
    }
}
