#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ErrorMetricsRecord {
    /// Measures `reconstructed` against `original` over the elements where the original is finite
    /// (Double accumulation):
    ///
    ///     mse = Σ(x − x̂)² / n,   max_abs_error = max |x − x̂|,   sqnr = 10·log10(Σx² / Σ(x − x̂)²) dB
    ///
    /// SQNR is absent when the error is 0 (infinite) or the signal is 0 (undefined). With no finite
    /// element everything is 0.
    public init(original: [Float], reconstructed: [Float]) {
        precondition(original.count == reconstructed.count, "metrics need equally long tensors")
        var signal = 0.0, noise = 0.0, maxError = 0.0
        var n = 0
        for i in original.indices where original[i].isFinite {
            let x = Double(original[i])
            let e = x - Double(reconstructed[i])
            signal += x * x
            noise += e * e
            maxError = max(maxError, abs(e))
            n += 1
        }
        let sqnr: Double? = noise > 0 && signal > 0 ? 10 * (signal / noise).log10 : nil
        self.init(sqnrDecibels: sqnr, mse: n > 0 ? noise / Double(n) : 0, maxAbsError: maxError)
    }
}

extension Double {
    /// Base-10 logarithm.
    fileprivate var log10: Double {
        #if canImport(Glibc)
        return Glibc.log10(self)
        #else
        return Darwin.log10(self)
        #endif
    }
}
