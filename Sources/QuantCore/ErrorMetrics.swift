#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How far a reconstruction x̂ (dequantized or fake-quantized) is from the reference x: the numbers
/// every report prints. Sums are kept in Double and are mergeable, so a tensor streamed in batches
/// gives the same metrics (up to Double rounding) as the whole tensor at once.
///
/// Over the n pairs where both x and x̂ are finite (other pairs are counted in ``nonFiniteCount``):
/// - MSE = Σ(x − x̂)² / n
/// - SQNR (dB) = 10·log10(Σx² / Σ(x − x̂)²)     (+∞ when the error is 0)
/// - max abs error = max |x − x̂|
/// - cosine similarity = Σ x·x̂ / √(Σx² · Σx̂²)   (1 when both are all zero, 0 when only one is)
/// - clipping fraction = clipped / n, where an element is clipped when x lies beyond the real value of
///   the extreme codes, x < s·(qmin − z) or x > s·(qmax − z) (only known from
///   ``QuantizationParameters/errorMetrics(of:)``).
public struct ErrorMetrics: Sendable, Hashable, Codable {
    /// Finite pairs seen.
    public internal(set) var count: Int = 0
    /// Pairs where x or x̂ is NaN or ±Inf (excluded from the sums).
    public internal(set) var nonFiniteCount: Int = 0
    /// Σ (x − x̂)².
    public internal(set) var sumSquaredError: Double = 0
    /// Σ x².
    public internal(set) var sumSquaredReference: Double = 0
    /// Σ x̂².
    public internal(set) var sumSquaredReconstruction: Double = 0
    /// Σ x·x̂.
    public internal(set) var sumProducts: Double = 0
    /// max |x − x̂|.
    public internal(set) var maxAbsoluteError: Double = 0
    /// Elements beyond the extreme codes' values (0 unless counted by the caller).
    public var clippedCount: Int = 0

    /// Empty metrics (count 0).
    public init() {}

    /// Metrics of one pair of equally long buffers.
    /// - Throws: ``QuantizationError/countMismatch(expected:actual:what:)`` if the lengths differ.
    public init(reference: UnsafeBufferPointer<Float>, reconstruction: UnsafeBufferPointer<Float>)
        throws(QuantizationError)
    {
        try add(reference: reference, reconstruction: reconstruction)
    }

    /// Metrics of two equally long arrays.
    public init(reference: [Float], reconstruction: [Float]) throws(QuantizationError) {
        try reference.withUnsafeBufferPointer { (x) throws(QuantizationError) in
            try reconstruction.withUnsafeBufferPointer { (y) throws(QuantizationError) in
                try add(reference: x, reconstruction: y)
            }
        }
    }

    /// Adds pairs (x_i, x̂_i) in one pass.
    public mutating func add(reference: UnsafeBufferPointer<Float>, reconstruction: UnsafeBufferPointer<Float>)
        throws(QuantizationError)
    {
        guard reference.count == reconstruction.count else {
            throw .countMismatch(expected: reference.count, actual: reconstruction.count, what: "reconstruction")
        }
        var stream = Stream(maxAbsoluteError: maxAbsoluteError)
        try stream.add(reference: reference, reconstruction: reconstruction)
        stream.finish(into: &self)
    }

    /// Adds one pair (scalar path).
    mutating func addScalar(_ x: Double, _ y: Double) {
        let d = x - y
        guard d - d == 0 else {
            nonFiniteCount += 1
            return
        }
        count += 1
        sumSquaredError += d * d
        sumSquaredReference += x * x
        sumSquaredReconstruction += y * y
        sumProducts += x * y
        maxAbsoluteError = Swift.max(maxAbsoluteError, abs(d))
    }

    /// Adds another set of metrics (e.g. of another batch).
    public mutating func merge(_ other: ErrorMetrics) {
        count += other.count
        nonFiniteCount += other.nonFiniteCount
        sumSquaredError += other.sumSquaredError
        sumSquaredReference += other.sumSquaredReference
        sumSquaredReconstruction += other.sumSquaredReconstruction
        sumProducts += other.sumProducts
        maxAbsoluteError = Swift.max(maxAbsoluteError, other.maxAbsoluteError)
        clippedCount += other.clippedCount
    }

    /// Mean squared error (0 when empty).
    public var meanSquaredError: Double { count > 0 ? sumSquaredError / Double(count) : 0 }

    /// Signal-to-quantization-noise ratio in dB; +∞ without error, −∞ for a zero signal with error.
    public var sqnrDecibels: Double {
        if sumSquaredError == 0 { return .infinity }
        if sumSquaredReference == 0 { return -.infinity }
        return 10 * log10(sumSquaredReference / sumSquaredError)
    }

    /// Cosine similarity of x and x̂ (1 when both are zero vectors, 0 when exactly one is).
    public var cosineSimilarity: Double {
        if sumSquaredReference == 0 && sumSquaredReconstruction == 0 { return 1 }
        if sumSquaredReference == 0 || sumSquaredReconstruction == 0 { return 0 }
        return sumProducts / (sumSquaredReference.squareRoot() * sumSquaredReconstruction.squareRoot())
    }

    /// Fraction of elements that were clipped (0 when empty).
    public var clippingFraction: Double { count > 0 ? Double(clippedCount) / Double(count) : 0 }
}
