/// The two inner loops of the module's dense linear algebra, over contiguous Double buffers with explicit SIMD
/// (8 lanes; AVX2 runs them as two 4-wide operations). Sums are in a fixed order for a given length, so
/// results do not depend on threads or alignment. Products and sums are separate roundings (`acc + x * y`, as
/// numpy computes): `SIMD.addProduct` is a fused multiply-add, which without FMA in the target's baseline
/// (x86-64 v1) becomes a library call per lane, measured 16× slower.
enum VectorKernels {
    /// Σₖ a[k]·b[k] for k < count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var acc = SIMD8<Double>()
        var k = 0
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        let stride = MemoryLayout<Double>.stride
        while k + 8 <= count {
            let x = ra.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            let y = rb.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            acc = acc + x * y
            k += 8
        }
        var sum = acc.sum()
        while k < count {
            sum += a[k] * b[k]
            k += 1
        }
        return sum
    }

    /// y[k] += alpha·x[k] for k < count.
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        var k = 0
        let rx = UnsafeRawPointer(x)
        let ry = UnsafeMutableRawPointer(y)
        let stride = MemoryLayout<Double>.stride
        let a = SIMD8<Double>(repeating: alpha)
        while k + 8 <= count {
            let xv = rx.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            var yv = ry.loadUnaligned(fromByteOffset: k * stride, as: SIMD8<Double>.self)
            yv = yv + a * xv
            ry.storeBytes(of: yv, toByteOffset: k * stride, as: SIMD8<Double>.self)
            k += 8
        }
        while k < count {
            y[k] += alpha * x[k]
            k += 1
        }
    }
}
