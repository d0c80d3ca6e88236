import Foundation
import Observers
import QuantCore
import TestSupport
import Testing

@testable import Calibrator

/// The `mse` weight observer with row-local parameters scores its clips on the weight's data
/// (``DataMSESearch``): its ranges are the data search's per channel, the same whether the weight is read
/// whole or streamed in blocks and whatever the thread count, and its quantization error is no worse than
/// min-max's.
@Suite struct WeightMSESearchTests {
    /// A [64, 96] weight: Gaussian rows of different scales, some with one outlier.
    static func writeWeights(in scratch: ScratchDirectory) throws -> (path: String, values: [Float]) {
        var rng = SplitMix64(seed: 7)
        let (rows, width) = (64, 96)
        var weight = (0..<(rows * width)).map { i in Float(0.05 * Double(i / width % 4 + 1) * rng.normal()) }
        for row in stride(from: 0, to: rows, by: 5) { weight[row * width + row % width] = 1.5 }
        let path = scratch.path("weights.h5")
        try writeHDF5(path, [("/fc/weight", [rows, width], weight)])
        return (path, weight)
    }

    static func calibrate(
        _ weights: String, observer: String, blockBytes: Int? = nil, threads: Int = 1
    ) throws -> WeightCalibration {
        let config = try CalibrationConfig.parse(
            "weights: {observer: \(observer), granularity: per-channel, axis: 0, scheme: symmetric}")
        var calibrator = try Calibrator(config: config)
        calibrator.threads = threads
        if let blockBytes { calibrator.weightBlockBytes = blockBytes }
        let result = try calibrator.calibrate(weights: weights, activations: [])
        return try #require(result["fc"]?.weight)
    }

    @Test func rangesAreTheDataSearchPerChannel() throws {
        let scratch = try ScratchDirectory("weight-mse")
        defer { scratch.remove() }
        let (weights, values) = try Self.writeWeights(in: scratch)
        let mse = try Self.calibrate(weights, observer: "mse")
        let minmax = try Self.calibrate(weights, observer: "minmax")
        let target = RangeTarget.integer(bits: 8, signed: true, symmetric: true, narrow: true)
        for row in 0..<64 {
            let channel = Array(values[(row * 96)..<((row + 1) * 96)])
            let (lo, hi) = channel.withUnsafeBufferPointer {
                DataMSESearch.range(finite: $0, min: channel.min() ?? 0, max: channel.max() ?? 0, target: target)
            }
            #expect(mse.rangeMins[row] == lo && mse.rangeMaxs[row] == hi, "channel \(row)")
        }
        // Clipping the outliers pays off on these rows: the weight's error is below min-max's.
        #expect(mse.metrics.meanSquaredError < minmax.metrics.meanSquaredError)
        #expect(mse.clippingFraction > 0)
    }

    @Test func streamedAndThreadedRunsGiveTheSameRanges() throws {
        let scratch = try ScratchDirectory("weight-mse-streamed")
        defer { scratch.remove() }
        let (weights, _) = try Self.writeWeights(in: scratch)
        let whole = try Self.calibrate(weights, observer: "mse")
        // 1 KiB blocks: 4-row blocks (the least a block holds), 16 of them.
        let streamed = try Self.calibrate(weights, observer: "mse", blockBytes: 1024, threads: 2)
        #expect(streamed.rangeMins == whole.rangeMins && streamed.rangeMaxs == whole.rangeMaxs)
        #expect(streamed.scales == whole.scales)
        #expect(streamed.metrics == whole.metrics)
        #expect(streamed.clippingFraction == whole.clippingFraction)
    }
}
