internal import CMomentKernels

extension ErrorMetrics {
    /// ``ErrorMetrics`` of a tensor given in consecutive blocks, bit-identical to the metrics of the whole
    /// tensor at once (``ErrorMetrics/init(reference:reconstruction:)``): the four Double lanes of each sum
    /// and the scalar path's sums are carried from block to block and folded in once, in ``finish(into:)``,
    /// exactly as one call over the whole tensor folds them.
    ///
    /// Invariant: every block but the last holds a multiple of 4 pairs (the lanes take groups of four;
    /// a shorter block would start the next group elsewhere than the whole tensor does).
    public struct Stream: Sendable {
        /// Four Double lanes each of Σd², Σx², Σy², Σxy and max |d|, in that order: the layout
        /// `ptqkit_error_lanes_add` updates in place (internal: the fused measure adds to them too).
        var lanes: [Double]
        /// The scalar path's sums: groups of four with a NaN or ±Inf, and the last n mod 4 pairs.
        var scalar = ErrorMetrics()
        /// Pairs seen, all paths.
        var seen = 0
        /// Whether a block that was not a multiple of 4 pairs ended the stream.
        var ended = false

        /// An empty stream; `maxAbsoluteError` seeds the running maximum (that of metrics being added to).
        public init(maxAbsoluteError: Double = 0) {
            lanes = [Double](repeating: 0, count: 16) + [Double](repeating: maxAbsoluteError, count: 4)
        }

        /// Adds the next block of pairs (x_i, x̂_i).
        /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` if the lengths differ, or
        ///   if a block follows one that was not a multiple of 4 pairs.
        public mutating func add(reference: UnsafeBufferPointer<Float>, reconstruction: UnsafeBufferPointer<Float>)
            throws(QuantizationError)
        {
            guard reference.count == reconstruction.count else {
                throw .countMismatch(expected: reference.count, actual: reconstruction.count, what: "reconstruction")
            }
            try checkNextBlock(count: reference.count)
            // Four Double lanes per sum (products of Floats are exact in Double; C, AVX where the CPU has it:
            // `ptqkit_error_lanes_add`); groups of four with a NaN or ±Inf, and the tail, go through the
            // scalar path.
            let n = reference.count
            var i = 0
            if n >= 4, let x = reference.baseAddress, let y = reconstruction.baseAddress {
                var scalar = self.scalar
                lanes.withUnsafeMutableBufferPointer { l in
                    while i + 4 <= n {
                        i += ptqkit_error_lanes_add(x + i, y + i, n - i, l.baseAddress)
                        guard i + 4 <= n else { break }
                        for j in i..<(i + 4) { scalar.addScalar(Double(x[j]), Double(y[j])) }
                        i += 4
                    }
                }
                self.scalar = scalar
            }
            while i < n {
                scalar.addScalar(Double(reference[i]), Double(reconstruction[i]))
                i += 1
            }
            seen += n
            if n % 4 != 0 { ended = true }
        }

        /// Checks that a block of `count` pairs may follow: every earlier block was a multiple of 4 pairs (or
        /// this one is empty).
        /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` otherwise.
        func checkNextBlock(count: Int) throws(QuantizationError) {
            guard !ended || count == 0 else {
                throw .countMismatch(
                    expected: seen - seen % 4, actual: seen, what: "pairs before another block (a multiple of 4)")
            }
        }

        /// Folds the stream into `metrics` (as one ``ErrorMetrics/add(reference:reconstruction:)`` of the
        /// whole tensor would, when the stream was seeded with its ``ErrorMetrics/maxAbsoluteError``).
        public func finish(into metrics: inout ErrorMetrics) {
            metrics.count += seen - scalar.count - scalar.nonFiniteCount  // the vector groups; merge adds the rest
            metrics.sumSquaredError += lane(0).sum()
            metrics.sumSquaredReference += lane(1).sum()
            metrics.sumSquaredReconstruction += lane(2).sum()
            metrics.sumProducts += lane(3).sum()
            metrics.maxAbsoluteError = lane(4).max()
            metrics.merge(scalar)
        }

        /// The four lanes of sum `k` (0 Σd², 1 Σx², 2 Σy², 3 Σxy, 4 max |d|).
        private func lane(_ k: Int) -> SIMD4<Double> {
            SIMD4(lanes[4 * k], lanes[4 * k + 1], lanes[4 * k + 2], lanes[4 * k + 3])
        }

        /// The metrics of every pair added.
        public var metrics: ErrorMetrics {
            var m = ErrorMetrics()
            finish(into: &m)
            return m
        }
    }
}
