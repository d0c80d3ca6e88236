import Calibrator
import Foundation
import PTQKit
import TensorIO
import TestSupport
import Testing

/// Shard statistics of the bundled activations, observed in-process.
private enum Shards {
    static let root = TestPaths.repository
    static var activations: String { root.appendingPathComponent("Calibration/activations.h5").path }
    static func config(_ name: String) -> String { root.appendingPathComponent("Configs/\(name)").path }

    static func observe(_ shard: String, config: String = "int8.yaml", version: String = "test") throws
        -> StatisticsFile
    {
        let calibrator = try Calibrator(config: .load(contentsOf: Self.config(config)))
        return try StatisticsFile.observe(
            calibrator: calibrator, files: [activations], shard: ShardSpec(parsing: shard),
            configFile: Self.config(config), toolVersion: version)
    }

    static func named(_ files: [StatisticsFile]) -> [(path: String, file: StatisticsFile)] {
        files.enumerated().map { ("s\($0.offset).ptqstats", $0.element) }
    }
}

@Suite("StatisticsFile")
struct StatisticsFileTests {
    @Test func roundTripsThroughItsBytesAndRecordsWhatItCovers() throws {
        let file = try Shards.observe("1/3")
        let data = try file.encoded()
        let back = try StatisticsFile.decode(data, path: "s.ptqstats")
        #expect(try back.encoded() == data)
        #expect(back.body.shards == [1] && back.body.plan.shardCount == 3 && back.body.missingShards.isEmpty)
        #expect(back.body.coverage == back.body.plan.assignments[1])
        #expect(back.body.configFile?.role == .config)
        #expect(back.body.statistics.layers.map(\.dataset) == ["/fc1", "/fc2", "/fc3"])
        for layer in back.body.statistics.layers {
            #expect(
                layer.rows == back.body.coverage.filter { $0.dataset == layer.dataset }.reduce(0) { $0 + $1.rows.count }
            )
        }
    }

    @Test func everyFlippedByteAndEveryTruncationIsDetected() throws {
        let data = [UInt8](try Shards.observe("0/2").encoded())
        // a spread of positions through header and body, and every truncation length on a stride
        for position in stride(from: 0, to: data.count, by: max(1, data.count / 97)) {
            var damaged = data
            damaged[position] ^= 0x20
            #expect(throws: StatisticsFileError.self, "flip at \(position)") {
                try StatisticsFile.decode(Data(damaged), path: "bad.ptqstats")
            }
        }
        for length in stride(from: 0, to: data.count, by: max(1, data.count / 61)) {
            #expect {
                try StatisticsFile.decode(Data(data[..<length]), path: "cut.ptqstats")
            } throws: { error in
                guard case .corrupted(let path, _) = error as? StatisticsFileError else { return false }
                return path == "cut.ptqstats"
            }
        }
    }

    @Test func mergeIsOrderIndependentAndRefusesOverlapGapsAndOtherConfigs() throws {
        let shards = try (0..<3).map { try Shards.observe("\($0)/3") }
        let forward = try StatisticsFile.merge(Shards.named(shards), allowPartial: false)
        let backward = try StatisticsFile.merge(Shards.named(shards.reversed()), allowPartial: false)
        #expect(try forward.encoded() == backward.encoded())
        #expect(forward.body.shards == [0, 1, 2] && forward.body.isComplete)
        #expect(forward.body.inputs.map(\.path) == [Shards.activations])
        // merging merged files again
        let partial = try StatisticsFile.merge(Shards.named([shards[2], shards[0]]), allowPartial: true)
        #expect(partial.body.missingShards == [1] && partial.body.inputs.count == 1)
        let again = try StatisticsFile.merge(Shards.named([partial, shards[1]]), allowPartial: false)
        #expect(try again.encoded() == forward.encoded())

        func fails(_ files: [StatisticsFile], allowPartial: Bool = false, _ match: (StatisticsFileError) -> Bool) {
            #expect {
                try StatisticsFile.merge(Shards.named(files), allowPartial: allowPartial)
            } throws: { error in
                (error as? StatisticsFileError).map(match) ?? false
            }
        }
        fails([shards[0], shards[1]]) { if case .missingShards([2], of: 3) = $0 { true } else { false } }
        fails([shards[0], shards[1], shards[1], shards[2]]) {
            if case .duplicateShard(1, _) = $0 { true } else { false }
        }
        fails([shards[0], try Shards.observe("1/3", config: "overrides.yaml"), shards[2]]) {
            if case .differentConfigs = $0 { true } else { false }
        }
        fails([shards[0], try Shards.observe("1/2")]) { if case .differentPlans = $0 { true } else { false } }
        fails([shards[0], try Shards.observe("1/3", version: "other"), shards[2]]) {
            if case .differentPlans = $0 { true } else { false }
        }
    }

    @Test func writesAtomicallyAndOnlyReplacesWithForce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-stats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.ptqstats").path
        let file = try Shards.observe("0/1")
        try file.write(to: path, force: false)
        #expect(throws: StatisticsFileError.self) { try file.write(to: path, force: false) }
        try file.write(to: path, force: true)
        #expect(try StatisticsFile.read(path).encoded() == file.encoded())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["s.ptqstats"])
    }
}
