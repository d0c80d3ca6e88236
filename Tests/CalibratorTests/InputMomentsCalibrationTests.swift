import Foundation
import HDF5
import Observers
import TensorIO
import TestSupport
import Testing

@testable import Calibrator

@Suite("Input moments collected by the calibrator")
struct InputMomentsCalibrationTests {
    static let gramConfig = "{\"version\": 1, \"activations\": {\"moments\": \"gram\"}}"

    static func moments(_ result: CalibrationResult) -> [String: InputMoments] {
        var out: [String: InputMoments] = [:]
        for layer in result.layers { if let m = layer.activation?.inputMoments { out[layer.layer] = m } }
        return out
    }

    @Test func identicalAcrossThreadsBatchSizesAndShards() throws {
        let scratch = try ScratchDirectory("moments-sharded")
        defer { scratch.remove() }
        let files = try splitBundledActivations(into: 3, in: scratch)
        var calibrator = try Calibrator(config: CalibrationConfig.parse(Self.gramConfig))
        calibrator.threads = 1
        calibrator.batchSize = .rows(48)
        let reference = Self.moments(try calibrator.calibrate(weights: nil, activations: files))
        #expect(reference.count == 3)
        #expect(reference.values.allSatisfy { $0.gram != nil && $0.rows == 300 })
        for (threads, batch) in [
            (2, TensorSource.BatchSize.rows(7)), (3, .rows(1)), (2, .bytes(3000)), (1, .rows(300)),
        ] {
            calibrator.threads = threads
            calibrator.batchSize = batch
            let other = Self.moments(try calibrator.calibrate(weights: nil, activations: files.reversed()))
            #expect(other == reference, "threads \(threads), batch \(batch)")
        }
        calibrator.batchSize = .rows(5)
        calibrator.threads = 2
        for shards in [2, 3, 7] {
            let sharded = try calibrateSharded(calibrator, weights: nil, files: files, shards: shards, seed: 3)
            #expect(Self.moments(sharded) == reference, "\(shards) shards")
        }
    }

    @Test func savedStatisticsAreByteIdenticalAcrossThreadsAndBatches() throws {
        var encoded: Set<Data> = []
        for (threads, batch) in [(1, TensorSource.BatchSize.rows(300)), (2, .rows(9)), (2, .bytes(1 << 20))] {
            var calibrator = try Calibrator(config: CalibrationConfig.parse(Self.gramConfig))
            calibrator.threads = threads
            calibrator.batchSize = batch
            let (observed, all) = try calibrator.activationDatasets(files: [Bundled.activations])
            let plan = try ShardPlan(files: [Bundled.activations], datasets: observed, shardCount: 1)
            let state = try calibrator.observe(
                segments: plan.assignments[0], files: [Bundled.activations], allDatasets: all)
            #expect(state.inputMoments(of: "fc2")?.features == 128)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoded.insert(try encoder.encode(state))
        }
        #expect(encoded.count == 1)
    }

    @Test func valuesMatchAFloat64ReferenceAlongTheConfiguredAxis() throws {
        let scratch = try ScratchDirectory("moments-axis")
        defer { scratch.remove() }
        var rng = SplitMix64(seed: 21)
        let rows = 37
        let values = (0..<(rows * 3 * 5)).map { _ in Float(rng.normal() * 2) }
        let path = scratch.path("a.h5")
        try writeHDF5(path, [("/x", [rows, 3, 5], values)])
        // Per channel along axis 1 (3 features, 5 vectors per row); per tensor: the last axis (5 features).
        for (text, axis, d) in [
            "{\"version\": 1, \"activations\": {\"moments\": \"gram\", \"granularity\": \"per-channel\", \"axis\": 1}}",
            "{\"version\": 1, \"activations\": {\"moments\": \"per-feature\"}}",
        ].enumerated().map({ ($0.element, $0.offset == 0 ? 1 : 2, $0.offset == 0 ? 3 : 5) }) {
            var calibrator = try Calibrator(config: CalibrationConfig.parse(text))
            calibrator.batchSize = .rows(4)
            let m = try #require(Self.moments(try calibrator.calibrate(weights: nil, activations: [path])).first?.value)
            #expect(m.features == d && m.rows == rows * 15 / d)
            #expect((m.gram != nil) == (axis == 1))
            func element(_ r: Int, _ v: Int, _ j: Int) -> Double {  // vector v of row r, feature j
                axis == 1 ? Double(values[r * 15 + j * 5 + v]) : Double(values[r * 15 + v * 5 + j])
            }
            let perRow = 15 / d
            for i in 0..<d {
                var sum = 0.0
                var squares = 0.0
                for r in 0..<rows {
                    for v in 0..<perRow {
                        sum += element(r, v, i)
                        squares += element(r, v, i) * element(r, v, i)
                    }
                }
                #expect(abs(m.sum[i] - sum) < 1e-9)
                #expect(abs(m.sumOfSquares[i] - squares) < 1e-9 * squares)
                if let gram = m.gram {
                    for j in 0..<d {
                        var g = 0.0
                        for r in 0..<rows { for v in 0..<perRow { g += element(r, v, i) * element(r, v, j) } }
                        #expect(abs(gram[i * d + j] - g) < 1e-9 * squares)
                    }
                }
            }
        }
    }

    @Test func configurationLevelsOverridesAndRefusals() throws {
        let config = try CalibrationConfig.parse(
            """
            {"version": 1, "activations": {"moments": "per-feature"},
             "overrides": [{"match": "fc2", "activations": {"moments": "gram"}},
                           {"match": "fc3", "activations": {"moments": "none"}}]}
            """)
        #expect(config.policy(for: "fc1").inputMomentsLevel == .perFeature)
        #expect(config.policy(for: "fc2").inputMomentsLevel == .gram)
        #expect(config.policy(for: "fc3").inputMomentsLevel == InputMomentsLevel.none)
        #expect(CalibrationConfig().policy(for: "fc1").inputMomentsLevel == InputMomentsLevel.none)
        #expect {
            _ = try Calibrator(
                config: CalibrationConfig.parse("{\"version\": 1, \"weights\": {\"moments\": \"gram\"}}"))
        } throws: { "\($0)".contains("moments") }
        #expect {
            try CalibrationConfig.parse("{\"version\": 1, \"activations\": {\"moments\": \"hessian\"}}")
        } throws: { "\($0)".contains("per-feature") }
    }

    @Test func statisticsWithoutTheMomentsAskedForAreRefusedNamingTheLayer() throws {
        let observing = try Calibrator(config: .load(contentsOf: Bundled.config("int8.yaml")))
        let (observed, all) = try observing.activationDatasets(files: [Bundled.activations])
        let plan = try ShardPlan(files: [Bundled.activations], datasets: observed, shardCount: 1)
        let state = try observing.observe(segments: plan.assignments[0], files: [Bundled.activations], allDatasets: all)
        let wanting = try Calibrator(config: CalibrationConfig.parse(Self.gramConfig))
        #expect {
            try wanting.calibrate(weights: nil, activationFiles: [Bundled.activations], statistics: state)
        } throws: { "\($0)".contains("fc1") && "\($0)".contains("gram") }
    }

    @Test func aGramBeyondTheMemoryBudgetIsRefused() throws {
        var calibrator = try Calibrator(config: CalibrationConfig.parse(Self.gramConfig))
        calibrator.memoryBudget = 200_000  // fc2's 128×128 Gram needs ~230 kB to collect
        #expect {
            try calibrator.calibrate(weights: nil, activations: [Bundled.activations])
        } throws: { "\($0)".contains("memory budget") && "\($0)".contains("128 features") }
    }

    @Test func statisticsWhoseFeatureAxisDiffersAreRefused() throws {
        let scratch = try ScratchDirectory("moments-axis-change")
        defer { scratch.remove() }
        var rng = SplitMix64(seed: 4)
        let path = scratch.path("a.h5")
        try writeHDF5(path, [("/x", [20, 3, 5], (0..<300).map { _ in Float(rng.normal()) })])
        let observing = try Calibrator(
            config: CalibrationConfig.parse("{\"version\": 1, \"activations\": {\"moments\": \"per-feature\"}}"))
        let (observed, all) = try observing.activationDatasets(files: [path])
        let plan = try ShardPlan(files: [path], datasets: observed, shardCount: 1)
        let state = try observing.observe(segments: plan.assignments[0], files: [path], allDatasets: all)
        let other = try Calibrator(
            config: CalibrationConfig.parse(
                """
                {"version": 1, "activations": {"moments": "per-feature", "granularity": "per-channel", "axis": 1}}
                """))
        #expect {
            try other.calibrate(weights: nil, activationFiles: [path], statistics: state)
        } throws: { "\($0)".contains("5 features") && "\($0)".contains("has 3") }
    }
}
