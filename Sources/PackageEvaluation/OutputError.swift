import Dispatch
import Foundation

/// The sums behind one layer's output SQNR, accumulated over held-out input vectors `x` (rows of the
/// activation dataset, or each `in`-wide slice of a row whose last axis is the layer's input):
///
/// - signal `S = Σ ‖x · Wᵀ‖²`;
/// - weights only `E_w = Σ ‖x · Wᵀ − x · Ŵᵀ‖² = Σ ‖x · (W − Ŵ)ᵀ‖²`;
/// - with activations `E_a = Σ ‖x · Wᵀ − x̂ · Ŵᵀ‖² = Σ ‖x · (W − Ŵ)ᵀ + (x − x̂) · Ŵᵀ‖²`.
///
/// Each output is a Float32 dot product (eight SIMD lanes, then their sum); its square is added in Double.
/// The error terms are products with the differences `W − Ŵ` and `x − x̂`, never differences of two nearly
/// equal outputs, so a small error keeps its precision. Outputs are split into fixed blocks of
/// ``blockOutputs`` whose sums are added in block order: the result does not depend on how many threads ran.
struct OutputError: Sendable {
    /// Σ ‖x · Wᵀ‖².
    var signal = 0.0
    /// Σ ‖x · (W − Ŵ)ᵀ‖².
    var weightsOnly = 0.0
    /// Σ ‖x · Wᵀ − x̂ · Ŵᵀ‖² (equal to ``weightsOnly`` when no activation is quantized).
    var withActivations = 0.0
    /// Input vectors accumulated.
    var vectors = 0

    /// Outputs per block of work (one block per concurrent iteration).
    static let blockOutputs = 32
    /// Vectors multiplied with each output row of a block before the next row (the rows of a block stay in
    /// cache while the tile of vectors streams past them).
    static let tileVectors = 32

    /// Adds `count` vectors: `x` and, when activations are quantized, `dx = x − x̂` (`count · weight.inputs`
    /// elements each).
    mutating func accumulate(
        x: UnsafeBufferPointer<Float>, dx: UnsafeBufferPointer<Float>?, count: Int, weight: LinearWeight
    ) {
        guard count > 0 else { return }
        let n = weight.inputs
        let blocks = (weight.outputs + Self.blockOutputs - 1) / Self.blockOutputs
        var partial = [SIMD4<Double>](repeating: .zero, count: blocks)
        weight.original.withUnsafeBufferPointer { w in
            weight.difference.withUnsafeBufferPointer { d in
                weight.restored.withUnsafeBufferPointer { r in
                    partial.withUnsafeMutableBufferPointer { sums in
                        guard let xs = x.baseAddress, let ws = w.baseAddress, let ds = d.baseAddress,
                            let rs = r.baseAddress, let out = sums.baseAddress
                        else { return }
                        let operands = Operands(
                            x: xs, dx: dx?.baseAddress, w: ws, d: ds, r: rs, sums: out, inputs: n,
                            outputs: weight.outputs, count: count)
                        DispatchQueue.concurrentPerform(iterations: blocks) { operands.block($0) }
                    }
                }
            }
        }
        for s in partial {
            signal += s[0]
            weightsOnly += s[1]
            withActivations += s[2]
        }
        vectors += count
    }

    /// The pointers one ``accumulate(x:dx:count:weight:)`` hands to its concurrent blocks.
    ///
    /// `@unchecked Sendable`: the inputs are only read, valid for the whole `concurrentPerform`, and block
    /// `index` writes only `sums[index]`.
    private struct Operands: @unchecked Sendable {
        let x: UnsafePointer<Float>
        let dx: UnsafePointer<Float>?
        let w: UnsafePointer<Float>
        let d: UnsafePointer<Float>
        let r: UnsafePointer<Float>
        let sums: UnsafeMutablePointer<SIMD4<Double>>
        let inputs: Int
        let outputs: Int
        let count: Int

        /// Sums `(y², e_w², e_a²)` over the outputs of block `index` and every vector into `sums[index]`.
        func block(_ index: Int) {
            let n = inputs
            var s = SIMD4<Double>.zero
            let block = (index * OutputError.blockOutputs)..<min((index + 1) * OutputError.blockOutputs, outputs)
            for tile in stride(from: 0, to: count, by: OutputError.tileVectors) {
                for o in block {
                    let (wo, dof, ro) = (w + o * n, d + o * n, r + o * n)
                    for v in tile..<min(tile + OutputError.tileVectors, count) {
                        let xv = x + v * n
                        let y = Double(OutputError.dot(xv, wo, n))
                        let ew = Double(OutputError.dot(xv, dof, n))
                        let ea = dx.map { ew + Double(OutputError.dot($0 + v * n, ro, n)) } ?? ew
                        s += SIMD4(y * y, ew * ew, ea * ea, 0)
                    }
                }
            }
            sums[index] = s
        }
    }

    /// `Σ a[i] · b[i]` over `n` Float32s: eight lanes with fused multiply-adds, then the lanes' sum and the tail.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>.zero
        var i = 0
        let (ra, rb) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
        while i + 8 <= n {
            let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            lanes.addProduct(va, vb)
            i &+= 8
        }
        var sum = lanes.sum()
        while i < n {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// `10 · log10(signal / error)` in dB; `nil` when the error is 0 (lossless) or the signal is 0.
    static func sqnr(signal: Double, error: Double) -> Double? {
        guard error > 0, signal > 0 else { return nil }
        return 10 * log10(signal / error)
    }
}
