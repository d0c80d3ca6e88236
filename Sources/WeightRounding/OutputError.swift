/// The layer's output error of a weight error ΔW from the input's second moments, without another pass over the
/// data: Σₙ‖ΔW·xₙ‖² = tr(ΔW·G·ΔWᵀ) with G = Σxxᵀ (divide by N for the mean per row, multiply by 2/N for
/// GPTQ's H).
public enum OutputError {
    /// tr(Δ·G·Δᵀ) = Σ_r Δ_r·G·Δ_rᵀ for Δ (m×n, row-major) and a symmetric G (n×n, row-major).
    ///
    /// Uses the symmetry, Δ_r·G·Δ_rᵀ = Σ_i Δ_ri·(G_ii·Δ_ri + 2·Σ_{j>i} G_ij·Δ_rj), and tiles of 8 rows of Δ per
    /// row of G so G is streamed m/8 times rather than m times. Deterministic.
    public static func trace(delta: [Double], gram: [Double], rows m: Int, features n: Int) -> Double {
        precondition(delta.count == m * n && gram.count == n * n, "OutputError.trace: shapes")
        let tile = 8
        var total = 0.0
        delta.withUnsafeBufferPointer { db in
            gram.withUnsafeBufferPointer { gb in
                guard let dp = db.baseAddress, let gp = gb.baseAddress else { return }
                var r0 = 0
                while r0 < m {
                    let r1 = Swift.min(r0 + tile, m)
                    var sums = [Double](repeating: 0, count: tile)
                    for i in 0..<n {
                        let g = gp + i * n
                        for r in r0..<r1 {
                            let row = dp + r * n
                            let v = row[i]
                            guard v != 0 else { continue }
                            let off = VectorKernels.dot(g + i + 1, row + i + 1, n - i - 1)
                            sums[r - r0] += v * (g[i] * v + 2 * off)
                        }
                    }
                    for s in sums { total += s }
                    r0 = r1
                }
            }
        }
        return total
    }
}
