import Foundation
import HDF5
import Observers
import TensorIO
import TestSupport
import Testing

@testable import Calibrator

/// Splits the bundled activations into `parts` files of uneven row counts (chunked by 8 rows, so
/// shards also cut inside files) and returns their paths in a shuffled order.
func splitBundledActivations(into parts: Int, in scratch: ScratchDirectory, seed: UInt64 = 7) throws -> [String] {
    let source = try File(Bundled.activations)
    let names = try source.walk().filter { $0.kind == .dataset }.map(\.path)
    var tables: [(String, [Int], [Float])] = []
    for name in names {
        let d = try source.openDataset(name)
        tables.append((name, d.shape, try d.read(as: Float.self)))
    }
    let rows = tables[0].1[0]
    // cut points: uneven, every part non-empty
    var cuts = [0]
    for p in 1..<parts { cuts.append(rows * p * p / (parts * parts)) }
    cuts.append(rows)
    var paths: [String] = []
    for p in 0..<parts {
        let path = scratch.path("acts-\(p).h5")
        let file = try File(path, mode: .truncate)
        for (name, shape, values) in tables {
            let width = shape.dropFirst().reduce(1, *)
            let slice = Array(values[(cuts[p] * width)..<(cuts[p + 1] * width)])
            let d = try file.createDataset(
                name, type: .float32, shape: [cuts[p + 1] - cuts[p]] + shape.dropFirst(),
                options: DatasetOptions(chunkShape: [8] + shape.dropFirst()))
            try d.write(slice)
        }
        paths.append(path)
    }
    var rng = SplitMix64(seed: seed)
    return paths.shuffled(using: &rng)
}

/// Observes every shard of a plan over `files`, merges the states in a shuffled order (through their
/// JSON encoding, as files would), and calibrates from them.
func calibrateSharded(
    _ calibrator: Calibrator, weights: String?, files: [String], shards: Int, seed: UInt64 = 1
) throws -> CalibrationResult {
    let (observed, all) = try calibrator.activationDatasets(files: files.sorted())
    let plan = try ShardPlan(files: files, datasets: observed, shardCount: shards)
    let paths = plan.files.map(\.path)
    var states: [ActivationStatistics] = []
    for segments in plan.assignments {
        let state = try calibrator.observe(segments: segments, files: paths, allDatasets: all)
        let data = try JSONEncoder().encode(state)
        states.append(try JSONDecoder().decode(ActivationStatistics.self, from: data))
    }
    var rng = SplitMix64(seed: seed)
    states.shuffle(using: &rng)
    var merged = states[0]
    for state in states.dropFirst() { try merged.merge(state) }
    return try calibrator.calibrate(weights: weights, activationFiles: paths, statistics: merged)
}

@Suite("Sharded calibration")
struct ShardedCalibrationTests {
    @Test(arguments: ["int8.yaml", "w8a8-pytorch.json", "overrides.yaml"], [1, 2, 3, 7])
    func mergedShardsGiveTheSingleRunResult(config: String, shards: Int) throws {
        let scratch = try ScratchDirectory("sharded")
        defer { scratch.remove() }
        let files = try splitBundledActivations(into: 3, in: scratch)
        var calibrator = try Calibrator(config: .load(contentsOf: Bundled.config(config)))
        calibrator.batchSize = .rows(48)
        let whole = try calibrator.calibrate(weights: Bundled.weights, activations: files.sorted())
        let sharded = try calibrateSharded(
            calibrator, weights: Bundled.weights, files: files, shards: shards, seed: UInt64(shards))
        #expect(try sharded.encodedJSON() == whole.encodedJSON())
    }

    @Test(arguments: [2, 7])
    func syntheticHeavyTailedDataWithNonFiniteValues(shards: Int) throws {
        let scratch = try ScratchDirectory("sharded-synthetic")
        defer { scratch.remove() }
        var rng = SplitMix64(seed: 42)
        var files: [String] = []
        for f in 0..<4 {
            let rows = [37, 64, 5, 90][f]
            var a = (0..<(rows * 16)).map { _ in Float(rng.normal() * 3) }
            let b = (0..<(rows * 4)).map { _ in Float(exp(rng.normal() * 2)) }  // log-normal, post-ReLU-like
            a[rows] = .nan
            a[2 * rows] = -.infinity
            let path = scratch.path("syn-\(f).h5")
            try writeHDF5(path, [("/a", [rows, 16], a), ("/b", [rows, 4], b)])
            files.append(path)
        }
        let config = try CalibrationConfig.parse(
            "{\"version\": 1, \"activations\": {\"observer\": {\"name\": \"mse\"}, \"scheme\": \"auto\"}}")
        let calibrator = try Calibrator(config: config)
        let whole = try calibrator.calibrate(weights: nil, activations: files)
        let sharded = try calibrateSharded(calibrator, weights: nil, files: files.reversed(), shards: shards)
        var expected = whole
        expected.inputs.activations = files.sorted()
        #expect(try sharded.encodedJSON() == expected.encodedJSON())
    }

    @Test func recalibratesWithAnotherMethodAndBitWidthFromTheSameStatistics() throws {
        let observing = try Calibrator(config: .load(contentsOf: Bundled.config("int8.yaml")))
        let (observed, all) = try observing.activationDatasets(files: [Bundled.activations])
        let plan = try ShardPlan(files: [Bundled.activations], datasets: observed, shardCount: 1)
        let state = try observing.observe(segments: plan.assignments[0], files: [Bundled.activations], allDatasets: all)
        for text in [
            """
            {\"version\": 1, \"activations\": {\"observer\": {\"name\": \"percentile\", \"options\": {\"percentile\": \
            99.9}}, \"bits\": 6}}
            """,
            "{\"version\": 1, \"activations\": {\"observer\": \"entropy\", \"bits\": 4}}",
        ] {
            let other = try Calibrator(config: CalibrationConfig.parse(text))
            let direct = try other.calibrate(weights: Bundled.weights, activations: [Bundled.activations])
            let fromStatistics = try other.calibrate(
                weights: Bundled.weights, activationFiles: [Bundled.activations], statistics: state)
            #expect(try fromStatistics.encodedJSON() == direct.encodedJSON())
        }
    }

    @Test func statisticsWithoutTheRequestedKindAreRefusedNamingTheLayer() throws {
        let observing = try Calibrator(
            config: CalibrationConfig.parse(
                "{\"version\": 1, \"activations\": {\"observer\": \"percentile\"}}"))
        let (observed, all) = try observing.activationDatasets(files: [Bundled.activations])
        let plan = try ShardPlan(files: [Bundled.activations], datasets: observed, shardCount: 1)
        let state = try observing.observe(segments: plan.assignments[0], files: [Bundled.activations], allDatasets: all)
        let minmax = try Calibrator(config: .load(contentsOf: Bundled.config("int8.yaml")))
        #expect {
            try minmax.calibrate(weights: nil, activationFiles: [Bundled.activations], statistics: state)
        } throws: { error in
            "\(error)".contains("fc1") && "\(error)".contains("minmax")
        }
    }
}
