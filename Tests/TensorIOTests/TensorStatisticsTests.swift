import HDF5
import TensorIO
import TestSupport
import Testing

/// A plain two-pass Double reference of the statistics (the definition, not the fast path).
private struct Reference {
    var finite: [Double]
    var nan = 0, posInf = 0, negInf = 0, zeros = 0

    init(_ values: [Float]) {
        finite = []
        for x in values {
            if x.isNaN {
                nan += 1
            } else if x == .infinity {
                posInf += 1
            } else if x == -.infinity {
                negInf += 1
            } else {
                finite.append(Double(x))
            }
            if x == 0 { zeros += 1 }
        }
    }

    var mean: Double { finite.reduce(0, +) / Double(finite.count) }
    var std: Double {
        let m = mean
        return (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count)).squareRoot()
    }
}

/// Deterministic pseudo-random floats (SplitMix64) with NaN/Inf/zero sprinkled in when asked.
private func values(_ count: Int, seed: UInt64, specials: Bool) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let r = generator.next()
        if specials {
            switch r % 97 {
            case 0: return .nan
            case 1: return .infinity
            case 2: return -.infinity
            case 3, 4: return 0
            default: break
            }
        }
        return Float(Double(r >> 11) / Double(1 << 53) * 20 - 7)
    }
}

@Suite struct TensorStatisticsTests {
    @Test(arguments: [0, 1, 15, 16, 17, 2047, 2048, 2049, 5003], [false, true])
    func matchesTheTwoPassDefinition(count: Int, specials: Bool) {
        let data = values(count, seed: UInt64(count) &+ (specials ? 99 : 0), specials: specials)
        let stats = data.withUnsafeBufferPointer { TensorStatistics($0) }
        let reference = Reference(data)
        #expect(stats.count == count)
        #expect(stats.finiteCount == reference.finite.count)
        #expect(stats.nanCount == reference.nan)
        #expect(stats.positiveInfinityCount == reference.posInf)
        #expect(stats.negativeInfinityCount == reference.negInf)
        #expect(stats.zeroCount == reference.zeros)
        guard !reference.finite.isEmpty else {
            #expect(stats.min == .infinity && stats.max == -.infinity && stats.absMax == 0)
            return
        }
        #expect(Double(stats.min) == reference.finite.min())
        #expect(Double(stats.max) == reference.finite.max())
        #expect(abs(stats.mean - reference.mean) <= 1e-6 * 20)
        #expect(abs(stats.standardDeviation - reference.std) <= 1e-6 * reference.std)
    }

    /// Values whose squares overflow or underflow Float32 still give the right spread.
    @Test(arguments: [Float(1e30), 1e18, 1e-25, 1e-35])
    func extremeScalesStayAccurate(scale: Float) {
        let data = values(4099, seed: 3, specials: true).map { $0 * scale }
        let stats = data.withUnsafeBufferPointer { TensorStatistics($0) }
        let reference = Reference(data)
        #expect(Double(stats.min) == reference.finite.min())
        #expect(Double(stats.max) == reference.finite.max())
        #expect(stats.standardDeviation.isFinite)
        #expect(abs(stats.mean - reference.mean) <= 1e-6 * 20 * Double(scale))
        #expect(abs(stats.standardDeviation - reference.std) <= 1e-6 * reference.std)
    }

    @Test(arguments: [1, 16, 1000, 2048, 4096])
    func mergingPartsEqualsTheWhole(split: Int) {
        let data = values(6000, seed: 7, specials: true)
        var merged = TensorStatistics()
        var start = 0
        while start < data.count {
            let end = min(start + split, data.count)
            data[start..<end].withUnsafeBufferPointer { merged.merge(TensorStatistics($0)) }
            start = end
        }
        let whole = data.withUnsafeBufferPointer { TensorStatistics($0) }
        #expect(merged.count == whole.count && merged.finiteCount == whole.finiteCount)
        #expect(merged.nanCount == whole.nanCount && merged.zeroCount == whole.zeroCount)
        #expect(merged.min == whole.min && merged.max == whole.max)
        #expect(abs(merged.mean - whole.mean) <= 1e-6 * 20)
        #expect(abs(merged.standardDeviation - whole.standardDeviation) <= 1e-6 * whole.standardDeviation)
        var withEmpty = whole
        withEmpty.merge(TensorStatistics())
        #expect(withEmpty == whole)
    }

    /// Statistics streamed from the h5py fixtures agree with numpy's (float64 over the float32 values).
    @Test(arguments: Fixtures.expected.datasets.keys.sorted())
    func streamedStatisticsMatchNumpy(path: String) throws {
        let spec = try #require(Fixtures.expected.datasets[path]).stats
        var stats = TensorStatistics()
        try TensorSource(file: Fixtures.file, dataset: path, batch: .rows(5)).forEachBatch { batch in
            stats.accumulate(batch.values)
        }
        #expect(stats.count == spec.count)
        #expect(stats.finiteCount == spec.finite_count)
        #expect(stats.nanCount == spec.nan_count)
        #expect(stats.positiveInfinityCount == spec.posinf_count)
        #expect(stats.negativeInfinityCount == spec.neginf_count)
        #expect(stats.zeroFraction == spec.zero_fraction)
        if let min = spec.min, let max = spec.max, let mean = spec.mean, let std = spec.std, let absmax = spec.absmax {
            #expect(Double(stats.min) == min)
            #expect(Double(stats.max) == max)
            #expect(Double(stats.absMax) == absmax)
            let scale = Swift.max(abs(min), abs(max))
            #expect(abs(stats.mean - mean) <= 1e-6 * scale)
            #expect(abs(stats.standardDeviation - std) <= 1e-6 * Swift.max(std, scale))
        }
    }
}
