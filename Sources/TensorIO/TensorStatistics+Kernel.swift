extension TensorStatistics {
    /// Elements per block: each block is reduced in two passes while it sits in L1 (8 KiB of Float32),
    /// then merged into the running statistics in Double. 128 values per SIMD lane keep the Float
    /// partial sums accurate to about 1e-6 relative.
    static let blockSize = 2048

    /// Adds `values` to the statistics: one fused pass per block over SIMD16 lanes.
    ///
    /// Per block: pass 1 gathers finite min/max, finite sum, non-finite and zero counts; pass 2 sums the
    /// squared deviations from the block mean (two passes over cached data are exact-er than Σx² − n·mean²
    /// and cost little). Blocks with NaN/Inf count their kinds in a scalar loop (rare).
    public mutating func accumulate(_ values: UnsafeBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        count += values.count
        var offset = 0
        let vectorEnd = values.count - values.count % 16
        while offset < vectorEnd {
            let length = Swift.min(Self.blockSize, vectorEnd - offset)
            accumulateBlock(base + offset, length)
            offset += length
        }
        if offset < values.count { accumulateScalar(base + offset, values.count - offset) }
    }

    /// Reduces `length` values (a multiple of 16) at `start`.
    @inline(__always)
    private mutating func accumulateBlock(_ start: UnsafePointer<Float>, _ length: Int) {
        let raw = UnsafeRawPointer(start)
        var lowest = SIMD16<Float>(repeating: .infinity)
        var highest = SIMD16<Float>(repeating: -.infinity)
        var sum = SIMD16<Float>()
        var nonFinite = SIMD16<Float>()
        var zeros = SIMD16<Float>()
        let one = SIMD16<Float>(repeating: 1)
        let zero = SIMD16<Float>()
        var index = 0
        while index < length {
            let x = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            // x − x is 0 for finite x and NaN for NaN and ±Inf.
            let finite = (x - x) .== zero
            let bad = .!finite
            lowest.replace(with: x, where: (x .< lowest) .& finite)
            highest.replace(with: x, where: (x .> highest) .& finite)
            sum += x.replacing(with: 0, where: bad)
            nonFinite += one.replacing(with: 0, where: finite)
            zeros += one.replacing(with: 0, where: x .!= zero)
            index += 16
        }
        let badCount = Int(nonFinite.sum())
        let finiteInBlock = length - badCount
        zeroCount += Int(zeros.sum())
        let blockMin = lowest.min()
        let blockMax = highest.max()
        min = Swift.min(min, blockMin)
        max = Swift.max(max, blockMax)
        if badCount > 0 { countNonFinite(start, length) }
        guard finiteInBlock > 0 else { return }
        // Float partial sums and squares overflow above ~2^56 and underflow below ~2^-60: such blocks
        // take the Double path (rare in practice; an all-zero block stays on the fast path).
        let blockAbsMax = Swift.max(Swift.abs(blockMin), Swift.abs(blockMax))
        if blockAbsMax > 0x1p56 || (blockAbsMax < 0x1p-60 && blockAbsMax > 0) {
            let moments = Self.doubleMoments(start, length)
            mergeMoments(count: moments.count, mean: moments.mean, m2: moments.m2)
            return
        }
        let blockMean = Double(sum.sum()) / Double(finiteInBlock)
        // Pass 2: M2 of the block about its own mean, Σ (x − mean_b)², over finite values.
        let center = SIMD16<Float>(repeating: Float(blockMean))
        var squares = SIMD16<Float>()
        index = 0
        if badCount == 0 {
            while index < length {
                let d = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self) - center
                squares += d * d
                index += 16
            }
        } else {
            while index < length {
                let x = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
                let d = (x - center).replacing(with: 0, where: (x - x) .!= zero)
                squares += d * d
                index += 16
            }
        }
        // The Float mean used as center differs from blockMean by rounding r: Σ(x − c)² = M2 + n·r²; remove it.
        let shift = blockMean - Double(Float(blockMean))
        let m2Block = Swift.max(0, Double(squares.sum()) - Double(finiteInBlock) * shift * shift)
        mergeMoments(count: finiteInBlock, mean: blockMean, m2: m2Block)
    }

    /// Two-pass (count, mean, M2) of the finite values among `length` values, in Double.
    private static func doubleMoments(_ start: UnsafePointer<Float>, _ length: Int)
        -> (count: Int, mean: Double, m2: Double)
    {
        var count = 0
        var sum = 0.0
        for index in 0..<length where start[index].isFinite {
            count += 1
            sum += Double(start[index])
        }
        let mean = sum / Double(count)
        var m2 = 0.0
        for index in 0..<length where start[index].isFinite {
            let d = Double(start[index]) - mean
            m2 += d * d
        }
        return (count, mean, m2)
    }

    /// Counts NaN, +Inf and −Inf among `length` values (called only for blocks that have some).
    private mutating func countNonFinite(_ start: UnsafePointer<Float>, _ length: Int) {
        for index in 0..<length {
            let x = start[index]
            if x.isNaN {
                nanCount += 1
            } else if x == .infinity {
                positiveInfinityCount += 1
            } else if x == -.infinity {
                negativeInfinityCount += 1
            }
        }
    }

    /// Scalar Welford update for the tail of fewer than 16 values.
    private mutating func accumulateScalar(_ start: UnsafePointer<Float>, _ length: Int) {
        for index in 0..<length {
            let x = start[index]
            if x == 0 { zeroCount += 1 }
            guard x.isFinite else {
                countNonFinite(start + index, 1)
                continue
            }
            min = Swift.min(min, x)
            max = Swift.max(max, x)
            // Welford: n += 1; δ = x − mean; mean += δ/n; M2 += δ·(x − mean).
            let value = Double(x)
            finiteCount += 1
            let delta = value - mean
            mean += delta / Double(finiteCount)
            m2 += delta * (value - mean)
        }
    }
}
