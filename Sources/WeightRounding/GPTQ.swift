public import Observers
public import QuantCore

/// GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
/// Transformers"): rounds W column by column, feeding each column's rounding error forward onto the columns not
/// yet rounded so as to minimise the layer's output error ‖XWᵀ − XŴᵀ‖², with the structure of the paper's
/// reference code (IST-DASLab/gptq `gptq.py`, `fasterquant`):
///
///     H = 2/N·Σxxᵀ;  dead inputs (H_ii = 0): H_ii = 1 and W[:, i] = 0
///     (act-order: permute W's columns and H by descending diag(H))
///     H += damping·mean(diag H)·I;  U = upper Cholesky factor of H⁻¹ (UᵀU = H⁻¹)
///     for each block of `blockSize` columns [i1, i2):
///         for column j in the block:  q = Q(w_j);  e = (w_j − q)/U_jj;  W[:, j:i2] −= e·U[j, j:i2]
///         W[:, i2:] −= E·U[i1:i2, i2:]          (E: the block's errors e, lazily applied)
///
/// Grids: per tensor and per output channel are fitted on the original W before the loop (as the reference's
/// `find_params(W)`); a group's (per output channel, `size` consecutive inputs) is fitted when the first of its
/// columns is reached, from W as it stands at the start of that column's block (the reference reads `W`, not
/// the in-block `W1`: identical for groups aligned to blocks). With act-order the groups stay the stored tensor's
/// contiguous runs of inputs (the package has no group index), so a group is fitted when the first of its
/// columns in the permuted order is reached; codes are returned in the original column order.
///
/// Pure Swift in Double: the inverse factor in n³/3 multiply-adds (``InverseCholesky``), the updates as SIMD
/// multiply-adds over contiguous rows (``VectorKernels``); deterministic (one fixed order of every sum).
public struct GPTQ: Sendable, Hashable, Codable {
    /// Damping as a fraction of the mean of diag(H) added to the diagonal (the reference's `percdamp`, 0.01).
    public var damping: Double
    /// Columns per lazy-update block (128 in the paper).
    public var blockSize: Int
    /// Round columns in descending order of diag(H) (the reference's `--act-order`).
    public var actOrder: Bool

    /// Creates settings.
    public init(damping: Double = 0.01, blockSize: Int = 128, actOrder: Bool = false) {
        self.damping = damping
        self.blockSize = blockSize
        self.actOrder = actOrder
    }

    /// Rounds `weight` onto `scheme` (its granularity on the stored tensor: per tensor, per output channel or per
    /// group along the inputs) using the layer input's Gram matrix.
    /// - Throws: ``WeightRoundingError`` for settings out of range, moments that do not fit (no Gram matrix, no
    ///   rows, another feature count), an unsupported granularity, or a damped H that is not positive definite.
    public func quantize(
        _ weight: WeightMatrix, moments: InputMoments, scheme: AffineScheme
    ) throws(WeightRoundingError) -> RoundedWeight {
        guard damping >= 0, damping.isFinite else { throw .invalidSetting("damping must be ≥ 0, not \(damping)") }
        guard blockSize >= 1 else { throw .invalidSetting("block-size must be ≥ 1, not \(blockSize)") }
        let gram = try Self.gram(of: moments, for: weight)
        let n = weight.inputs
        let m = weight.outputs
        let blocks = try weight.blocks(of: scheme.granularity)
        let groupCount = blocks.count(inputs: n)
        var h = gram.map { 2 * $0 / Double(moments.rows) }
        var w = weight.values
        // Grids of per tensor and per channel: from the original W.
        var mins = [Float](repeating: 0, count: m * groupCount)
        var maxs = [Float](repeating: 0, count: m * groupCount)
        var grids = [RowGrid?](repeating: nil, count: groupCount)
        switch blocks {
        case .tensor:
            let (lo, hi) = RowGrid.ranges(w, rows: 1, stride: 0, columns: 0..<(m * n))
            mins = [lo[0]]
            maxs = [hi[0]]
            grids[0] = try RowGrid(
                scheme: scheme, mins: [Float](repeating: lo[0], count: m), maxs: [Float](repeating: hi[0], count: m))
        case .rows:
            (mins, maxs) = RowGrid.ranges(w, rows: m, stride: n, columns: 0..<n)
            grids[0] = try RowGrid(scheme: scheme, mins: mins, maxs: maxs)
        case .groups:
            break
        }
        // Dead inputs.
        for i in 0..<n where h[i * n + i] == 0 {
            h[i * n + i] = 1
            for r in 0..<m { w[r * n + i] = 0 }
        }
        // Act-order: column `position` of the permuted problem is input `order[position]`.
        var order = Array(0..<n)
        if actOrder {
            order.sort { a, b in
                let (ha, hb) = (h[a * n + a], h[b * n + b])
                return ha != hb ? ha > hb : a < b
            }
            var hp = [Double](repeating: 0, count: n * n)
            var wp = [Double](repeating: 0, count: m * n)
            for (a, oa) in order.enumerated() {
                for (b, ob) in order.enumerated() { hp[a * n + b] = h[oa * n + ob] }
                for r in 0..<m { wp[r * n + a] = w[r * n + oa] }
            }
            (h, w) = (hp, wp)
        }
        var position = [Int](repeating: 0, count: n)
        for (p, input) in order.enumerated() { position[input] = p }
        var meanDiagonal = 0.0
        for i in 0..<n { meanDiagonal += h[i * n + i] }
        meanDiagonal /= Double(n)
        for i in 0..<n { h[i * n + i] += damping * meanDiagonal }
        let u: [Double]
        do {
            u = try InverseCholesky.upperFactorOfInverse(h, n: n)
        } catch .notPositiveDefinite(let pivot) {
            throw .notPositiveDefinite(pivot: order[pivot])
        }
        var codes = [Int32](repeating: 0, count: m * n)
        var block = [Double](repeating: 0, count: m * blockSize)
        var errors = [Double](repeating: 0, count: m * blockSize)
        for i1 in stride(from: 0, to: n, by: blockSize) {
            let i2 = Swift.min(i1 + blockSize, n)
            let count = i2 - i1
            for r in 0..<m {
                for i in 0..<count { block[r * count + i] = w[r * n + i1 + i] }
            }
            for i in 0..<count {
                let column = i1 + i
                let input = order[column]
                let g = blocks == .tensor || blocks == .rows ? 0 : input / Self.groupSize(blocks)
                if grids[g] == nil {
                    // Fitted from W at the start of this block (the group's columns are all still unrounded).
                    let columns = weight.columns(ofBlock: g, blocks).map { position[$0] }
                    let (lo, hi) = RowGrid.ranges(w, rows: m, stride: n, columns: columns)
                    for r in 0..<m {
                        mins[r * groupCount + g] = lo[r]
                        maxs[r * groupCount + g] = hi[r]
                    }
                    grids[g] = try RowGrid(scheme: scheme, mins: lo, maxs: hi)
                }
                guard let grid = grids[g] else { continue }
                u.withUnsafeBufferPointer { ub in
                    block.withUnsafeMutableBufferPointer { bb in
                        guard let up = ub.baseAddress, let bp = bb.baseAddress else { return }
                        let d = up[column * n + column]
                        for r in 0..<m {
                            let row = bp + r * count
                            let (q, value) = grid.round(row[i], row: r)
                            codes[r * n + input] = q
                            let e = (row[i] - value) / d
                            errors[r * count + i] = e
                            VectorKernels.axpy(-e, up + column * n + column + 1, row + i + 1, count - i - 1)
                        }
                    }
                }
            }
            guard i2 < n else { continue }
            // W[:, i2:] −= E·U[i1:i2, i2:]
            u.withUnsafeBufferPointer { ub in
                w.withUnsafeMutableBufferPointer { wb in
                    guard let up = ub.baseAddress, let wp = wb.baseAddress else { return }
                    // tiles of 8 rows: each row of U's block is read once per tile, not once per row
                    for r0 in stride(from: 0, to: m, by: 8) {
                        for k in 0..<count {
                            let source = up + (i1 + k) * n + i2
                            for r in r0..<Swift.min(r0 + 8, m) {
                                VectorKernels.axpy(-errors[r * count + k], source, wp + r * n + i2, n - i2)
                            }
                        }
                    }
                }
            }
        }
        let stored = try weight.storedParameters(scheme: scheme, mins: mins, maxs: maxs)
        return RoundedWeight(
            codes: weight.stored(codes), parameters: stored.parameters, rangeMins: stored.mins, rangeMaxs: stored.maxs)
    }

    /// The group size of `.groups` blocks (1 otherwise).
    static func groupSize(_ blocks: WeightMatrix.Blocks) -> Int {
        if case .groups(let size) = blocks { return size }
        return 1
    }

    /// The Gram matrix of `moments`, checked against the weight.
    static func gram(of moments: InputMoments, for weight: WeightMatrix) throws(WeightRoundingError) -> [Double] {
        try weight.check(moments)
        guard let gram = moments.gram else {
            throw .statistics("the layer's input statistics have no Gram matrix Σxxᵀ (needed by this method)")
        }
        guard moments.rows > 0 else { throw .statistics("the layer's input statistics hold no rows") }
        return gram
    }
}
