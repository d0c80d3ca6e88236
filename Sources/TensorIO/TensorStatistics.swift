/// Summary statistics of a stream of Float32 values, computed in one pass and mergeable across shards.
///
/// NaN and ±Inf are counted but excluded from min, max, mean and standard deviation; zeros (±0) are
/// counted among all values. Mean and spread are kept as (count, mean, M2) in Double and combined with
/// Chan et al.'s parallel update, so statistics of shards merge to those of the whole (up to rounding).
public struct TensorStatistics: Sendable, Hashable {
    /// Number of values seen, including NaN and infinities.
    public var count: Int = 0
    /// Number of finite values (those entering min, max, mean and std).
    public var finiteCount: Int = 0
    /// Number of NaN values.
    public var nanCount: Int = 0
    /// Number of +Inf values.
    public var positiveInfinityCount: Int = 0
    /// Number of -Inf values.
    public var negativeInfinityCount: Int = 0
    /// Number of values equal to zero (+0 or -0).
    public var zeroCount: Int = 0
    /// Smallest finite value (+Inf while no finite value has been seen).
    public var min: Float = .infinity
    /// Largest finite value (-Inf while no finite value has been seen).
    public var max: Float = -.infinity
    /// Mean of the finite values (0 while there are none).
    public var mean: Double = 0
    /// Sum of squared deviations of the finite values from ``mean``: M2 = Σ (x − mean)².
    public var m2: Double = 0

    /// Empty statistics (the identity of ``merge(_:)``).
    public init() {}

    /// Statistics of `values`.
    public init(_ values: UnsafeBufferPointer<Float>) {
        accumulate(values)
    }

    /// Population variance of the finite values: M2 / n (NaN when there are none).
    public var variance: Double { finiteCount > 0 ? m2 / Double(finiteCount) : .nan }

    /// Population standard deviation (ddof = 0, as NumPy's default): √(M2 / n).
    public var standardDeviation: Double { variance.squareRoot() }

    /// Largest magnitude among the finite values: max(|min|, |max|) (0 when there are none).
    public var absMax: Float { finiteCount > 0 ? Swift.max(Swift.abs(min), Swift.abs(max)) : 0 }

    /// Fraction of all values that are zero (0 when empty).
    public var zeroFraction: Double { count > 0 ? Double(zeroCount) / Double(count) : 0 }

    /// Adds the statistics of another disjoint part of the data.
    ///
    /// Chan et al. (1979): with n = nₐ + n_b and δ = mean_b − meanₐ,
    /// mean = meanₐ + δ·n_b/n and M2 = M2ₐ + M2_b + δ²·nₐ·n_b/n.
    public mutating func merge(_ other: TensorStatistics) {
        count += other.count
        nanCount += other.nanCount
        positiveInfinityCount += other.positiveInfinityCount
        negativeInfinityCount += other.negativeInfinityCount
        zeroCount += other.zeroCount
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        mergeMoments(count: other.finiteCount, mean: other.mean, m2: other.m2)
    }

    /// Chan's update of (finiteCount, mean, m2) with a part of `count` finite values.
    @inline(__always)
    mutating func mergeMoments(count otherCount: Int, mean otherMean: Double, m2 otherM2: Double) {
        guard otherCount > 0 else { return }
        let n = finiteCount + otherCount
        let delta = otherMean - mean
        let weight = Double(otherCount) / Double(n)
        mean += delta * weight
        m2 += otherM2 + delta * delta * Double(finiteCount) * weight
        finiteCount = n
    }
}
