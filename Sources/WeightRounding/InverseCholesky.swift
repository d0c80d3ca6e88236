/// The upper Cholesky factor of a symmetric positive definite matrix's inverse: U upper triangular with
/// positive diagonal and UᵀU = H⁻¹, what GPTQ's reference code computes as
/// `cholesky(cholesky_inverse(cholesky(H)), upper=True)`.
///
/// Computed with one factorization and one triangular inverse (n³/3 multiply-adds instead of the reference's
/// ≈ 4n³/3): with P the reversal permutation, factor PHP = L̃L̃ᵀ (L̃ lower); then H = R·Rᵀ with R = P·L̃·P upper,
/// so H⁻¹ = R⁻ᵀR⁻¹ and U = R⁻¹ = P·L̃⁻¹·P (the unique upper factor with a positive diagonal). Double precision
/// throughout; row-oriented loops over contiguous rows (``VectorKernels``).
enum InverseCholesky {
    /// U (row-major n×n, zeros below the diagonal) for the symmetric `h` (row-major n×n), rows processed in
    /// panels of `panel` (≥ 1; the result does not depend on it: every sum keeps its order).
    /// - Throws: ``WeightRoundingError/notPositiveDefinite(pivot:)`` at the first pivot that is not > 0 (or
    ///   not finite), as an index of `h`.
    static func upperFactorOfInverse(
        _ h: [Double], n: Int, panel: Int = 16
    ) throws(WeightRoundingError) -> [Double] {
        // A = P·H·P, then its lower Cholesky factor L (row-major) in place of A's lower triangle.
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i { l[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)] }
        }
        try l.withUnsafeMutableBufferPointer { (buffer) throws(WeightRoundingError) in
            guard let p = buffer.baseAddress else { return }
            // Panels of `panel` rows: each earlier row j is read once per panel (not once per row), which keeps the
            // factorization from streaming the whole factor n times.
            for i0 in stride(from: 0, to: n, by: panel) {
                let i1 = Swift.min(i0 + panel, n)
                for j in 0..<i0 {
                    // L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) / L[j][j], for the panel's rows i
                    let rowJ = p + j * n
                    for i in i0..<i1 {
                        let rowI = p + i * n
                        rowI[j] = (rowI[j] - VectorKernels.dot(rowI, rowJ, j)) / rowJ[j]
                    }
                }
                for i in i0..<i1 {
                    let rowI = p + i * n
                    for j in i0..<i {
                        let rowJ = p + j * n
                        rowI[j] = (rowI[j] - VectorKernels.dot(rowI, rowJ, j)) / rowJ[j]
                    }
                    let d = rowI[i] - VectorKernels.dot(rowI, rowI, i)
                    guard d > 0, d.isFinite else { throw .notPositiveDefinite(pivot: n - 1 - i) }
                    rowI[i] = d.squareRoot()
                }
            }
        }
        // X = L⁻¹ row by row: X[i][·] = (e_i − Σ_{k<i} L[i][k]·X[k][·]) / L[i][i]; row k of X is zero beyond k.
        // In panels as above: each earlier row X[k] is added into all of the panel's rows before the next is read.
        var x = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { lb in
            x.withUnsafeMutableBufferPointer { xb in
                guard let lp = lb.baseAddress, let xp = xb.baseAddress else { return }
                for i0 in stride(from: 0, to: n, by: panel) {
                    let i1 = Swift.min(i0 + panel, n)
                    for k in 0..<i0 {
                        for i in i0..<i1 where lp[i * n + k] != 0 {
                            VectorKernels.axpy(-lp[i * n + k], xp + k * n, xp + i * n, k + 1)
                        }
                    }
                    for i in i0..<i1 {
                        let rowX = xp + i * n
                        let rowL = lp + i * n
                        for k in i0..<i where rowL[k] != 0 {
                            VectorKernels.axpy(-rowL[k], xp + k * n, rowX, k + 1)
                        }
                        rowX[i] = 1
                        let inverse = 1 / rowL[i]
                        for k in 0...i { rowX[k] *= inverse }
                    }
                }
            }
        }
        // U = P·X·P
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n { u[i * n + j] = x[(n - 1 - i) * n + (n - 1 - j)] }
        }
        return u
    }
}
