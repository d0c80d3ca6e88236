import Observers
import QuantCore
import TestSupport
import Testing

@testable import Calibrator

/// ``Calibrator/blockScan(_:observed:)``: the whole block's ``RangeScan`` from a min-max observer that saw the
/// block equals `RangeScan.scan` of it bit for bit (min and max bit patterns, counts), for every granularity,
/// with NaN/±Inf, empty slots, and ±0 at the extremes (where it scans again).
@Suite struct StreamedBlockScanTests {
    static let granularities: [Granularity] = [
        .perTensor, .perChannel(axis: 0), .perChannel(axis: 1), .perGroup(axis: 1, size: 16),
    ]

    /// Blocks of shape [6, 40] and [6, 5]: random; non-negative with +0 and −0 (a zero minimum); non-positive
    /// (a zero maximum); with NaN and ±Inf and a row of nothing else; all NaN.
    static func blocks(columns: Int) -> [[Float]] {
        var rng = SplitMix64(seed: UInt64(columns))
        let n = 6 * columns
        let random = (0..<n).map { _ in rng.normalFloat() }
        let nonNegative = random.enumerated().map { i, v in i % 7 == 0 ? (i % 2 == 0 ? -0.0 : 0.0) : abs(v) }
        let nonPositive = nonNegative.map { -$0 }
        var nonFinite = random
        for i in stride(from: 3, to: n, by: 13) { nonFinite[i] = [Float.nan, .infinity, -.infinity][i % 3] }
        for i in columns..<(2 * columns) { nonFinite[i] = .nan }
        return [random, nonNegative, nonPositive, nonFinite, [Float](repeating: .nan, count: n)]
    }

    @Test(arguments: granularities, [40, 5])
    func equalsTheScanOfTheBlock(granularity: Granularity, columns: Int) throws {
        for values in Self.blocks(columns: columns) {
            var observer = MinMaxObserver(options: .init(granularity: granularity))
            try values.withUnsafeBufferPointer { try observer.observe($0, shape: [6, columns]) }
            let derived = values.withUnsafeBufferPointer { Calibrator.blockScan($0, observed: observer) }
            let scan = values.withUnsafeBufferPointer { RangeScan.scan($0) }
            #expect(derived.min.bitPattern == scan.min.bitPattern && derived.max.bitPattern == scan.max.bitPattern)
            #expect(derived.counts == scan.counts)
        }
    }

    /// The observer's ranges are what is used (no scan) when the extremes are not zero: an observer that saw
    /// other values of the same count gives their statistics; one that saw a different count, or none, or
    /// another kind of observer, leaves the block to be scanned.
    @Test func takesTheObserversRangesWhenItSawTheBlock() throws {
        let seen: [Float] = [1, -2, 3, 4, .nan, 5, -6, 7]
        let other: [Float] = [0.5, 0.25, 0.75, 1, 1, 1, 1, 1]
        var observer = MinMaxObserver(options: .init(granularity: .perChannel(axis: 0)))
        try seen.withUnsafeBufferPointer { try observer.observe($0, shape: [2, 4]) }
        let fromObserver = other.withUnsafeBufferPointer { Calibrator.blockScan($0, observed: observer) }
        #expect(fromObserver == seen.withUnsafeBufferPointer { RangeScan.scan($0) })
        let scanned = other.withUnsafeBufferPointer { RangeScan.scan($0) }
        let longer = [Float](repeating: 1, count: 9) + other
        #expect(
            longer.withUnsafeBufferPointer { Calibrator.blockScan($0, observed: observer) }
                == longer.withUnsafeBufferPointer { RangeScan.scan($0) })
        #expect(other.withUnsafeBufferPointer { Calibrator.blockScan($0, observed: nil) } == scanned)
        #expect(other.withUnsafeBufferPointer { Calibrator.blockScan($0, observed: MinMaxObserver()) } == scanned)
    }
}
