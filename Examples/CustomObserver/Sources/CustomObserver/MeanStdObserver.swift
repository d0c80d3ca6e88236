import PTQKit

/// A user-defined observer: the range `mean ± k·σ` of the finite values, clamped to `[min, max]`
/// (kind `"mean-std"`).
///
/// Statistic: count, mean and M2 = Σ(x − mean)² of the finite values (in Double), plus their min and
/// max. Two observers merge with Chan et al.'s formula: with n = nₐ + n_b and δ = mean_b − meanₐ,
/// `mean = meanₐ + δ·n_b/n` and `M2 = M2ₐ + M2_b + δ²·nₐ·n_b/n`, so sharded observation merges to the
/// statistic of the whole up to rounding. That is why it does not declare `ExactlyMergeable`: a
/// multi-threaded calibration streams its batches in read order (and its packages stay byte-identical).
/// It is a `PersistentObserver` (`Codable` options and state), so its statistics can be saved.
struct MeanStdObserver: PersistentObserver {
    /// Options: `k`, the number of standard deviations on each side of the mean (default 3).
    struct Options: Codable, Sendable, Equatable {
        /// Half-width of the range in standard deviations (> 0).
        var k: Double = 3
    }

    /// The statistic.
    struct State: Codable, Sendable, Equatable {
        /// Finite values seen.
        var count: UInt64 = 0
        /// Their mean.
        var mean: Double = 0
        /// Σ (x − mean)².
        var m2: Double = 0
        /// Smallest finite value (`+Inf` while empty).
        var min: Float = .infinity
        /// Largest finite value (`−Inf` while empty).
        var max: Float = -.infinity
        /// Element counts, NaN and ±Inf included.
        var counts = NonFiniteCounts()

        /// Chan's update with a disjoint part `(n, mean, m2)`.
        mutating func combine(count n: UInt64, mean otherMean: Double, m2 otherM2: Double) {
            guard n > 0 else { return }
            let total = count + n
            let delta = otherMean - mean
            let weight = Double(n) / Double(total)
            mean += delta * weight
            m2 += otherM2 + delta * delta * Double(count) * weight
            count = total
        }
    }

    static let kind = "mean-std"
    let options: Options
    private(set) var state = State()

    init(options: Options, state: State = State()) throws {
        guard options.k > 0, options.k.isFinite else {
            throw ObserverError.invalidOption(kind: Self.kind, option: "k", reason: "must be a positive number")
        }
        self.options = options
        self.state = state
    }

    /// Adds one batch: its min, max and counts in one fused pass (`RangeScan`), its own mean and M2,
    /// then Chan's merge.
    mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws {
        guard shape.reduce(1, *) == batch.count else {
            throw ObserverError.shapeMismatch(shape: shape, elementCount: batch.count)
        }
        let scan = RangeScan.scan(batch)
        state.counts.add(scan.counts)
        guard scan.hasFinite else { return }
        state.min = Swift.min(state.min, scan.min)
        state.max = Swift.max(state.max, scan.max)
        var sum = 0.0
        for x in batch where x.isFinite { sum += Double(x) }
        let mean = sum / Double(scan.counts.finite)
        var m2 = 0.0
        for x in batch where x.isFinite {
            let d = Double(x) - mean
            m2 += d * d
        }
        state.combine(count: scan.counts.finite, mean: mean, m2: m2)
    }

    mutating func merge(_ other: MeanStdObserver) throws {
        guard other.options == options else {
            throw ObserverError.mergeMismatch(kind: Self.kind, reason: "options differ")
        }
        state.combine(count: other.state.count, mean: other.state.mean, m2: other.state.m2)
        state.min = Swift.min(state.min, other.state.min)
        state.max = Swift.max(state.max, other.state.max)
        state.counts.add(other.state.counts)
    }

    /// `[max(min, mean − kσ), min(max, mean + kσ)]` with σ = √(M2/n); `[0, 0]` when empty.
    func ranges(for target: RangeTarget) throws -> ObservedRanges {
        guard state.count > 0 else {
            return ObservedRanges(layout: nil, low: [0], high: [0], counts: state.counts, emptySlots: 1)
        }
        let sigma = (state.m2 / Double(state.count)).squareRoot()
        let low = Swift.max(Double(state.min), state.mean - options.k * sigma)
        let high = Swift.min(Double(state.max), state.mean + options.k * sigma)
        return ObservedRanges(layout: nil, low: [Float(low)], high: [Float(high)], counts: state.counts)
    }
}
