import Foundation
import QuantCore
import Testing
@testable import Observers

/// "Calibrate once, choose later": saved statistics re-calibrate without the tensors.
@Suite struct StatisticsFileTests {
    static func observedFile() throws -> (StatisticsFile, [String: [Float]]) {
        var rng = SplitMix64(seed: 42)
        let act = rng.tensor(count: 4096, kind: 0), relu = rng.tensor(count: 2048, kind: 1), w = rng.tensor(count: 512, kind: 2)
        var h = try ObserverRegistry.builtIn.makeObserver("percentile", options: OptionValue.object(["bins": .number(1024)]))
        try h.observe(act, shape: [64, 64])
        var r = try ObserverRegistry.builtIn.makeObserver("histogram")
        try r.observe(relu, shape: [32, 64])
        var m = try ObserverRegistry.builtIn.makeObserver("minmax", options: OptionValue.object(["granularity": .object(["perChannel": .object(["axis": .number(0)])])]))
        try m.observe(w, shape: [16, 32])
        let file = StatisticsFile(entries: ["fc1": h, "relu1": r, "fc2.weight": m],
                                  metadata: ["config": "int8.yaml", "rows": "0..<64"])
        return (file, ["fc1": act, "relu1": relu, "fc2.weight": w])
    }

    @Test func roundTripIsByteIdentical() throws {
        let (file, _) = try Self.observedFile()
        let bytes = try file.encoded()
        let back = try StatisticsFile(decoding: bytes)
        #expect(try back.encoded() == bytes)
        #expect(back.metadata == file.metadata)
        #expect(Set(back.entries.keys) == ["fc1", "relu1", "fc2.weight"])
        let text = try #require(String(data: bytes, encoding: .utf8))
        #expect(text.hasPrefix("{\"checksum\":\"fnv1a64:"))
    }

    @Test(arguments: ["mse", "entropy", "percentile", "histogram"], [4, 8])
    func recalibrateWithAnotherMethodAndBitWidth(_ method: String, bits: Int) throws {
        let (file, data) = try Self.observedFile()
        let loaded = try StatisticsFile(decoding: file.encoded())
        let saved = try #require(loaded.entries["fc1"])
        let template = try ObserverRegistry.builtIn.makeObserver(method, options: OptionValue.object(["bins": .number(1024)]))
        let recalibrated = try saved.withOptions(of: template)
        // The same as observing the tensor again with that method.
        var direct = template
        try direct.observe(try #require(data["fc1"]), shape: [64, 64])
        let scheme = try AffineScheme(format: IntegerFormat(bits: bits, signed: true), symmetry: .symmetric, profile: .ptqkit)
        #expect(try recalibrated.parameters(for: scheme, shape: [64, 64]) == direct.parameters(for: scheme, shape: [64, 64]))
        #expect(try recalibrated.ranges(for: RangeTarget(scheme)) == direct.ranges(for: RangeTarget(scheme)))
    }

    @Test func minMaxStatisticsServeAnyScheme() throws {
        let (file, data) = try Self.observedFile()
        let saved = try #require(StatisticsFile(decoding: file.encoded()).entries["fc2.weight"])
        for format in [IntegerFormat.int8, .uint8, .int4] {
            for symmetry in Symmetry.allCases {
                let scheme = try AffineScheme(format: format, symmetry: symmetry, granularity: .perChannel(axis: 0), profile: .pytorch)
                let expected = try scheme.parameters(fitting: try #require(data["fc2.weight"]), shape: [16, 32])
                #expect(try saved.parameters(for: scheme, shape: [16, 32]) == expected)
            }
        }
    }

    @Test func optionsForAnotherStatisticAreRefused() throws {
        let (file, _) = try Self.observedFile()
        let saved = try #require(file.entries["fc1"])
        #expect(throws: ObserverError.self) { try saved.withOptions(of: ObserverRegistry.builtIn.makeObserver("minmax")) }
        #expect(throws: ObserverError.self) { try saved.withOptions(of: ObserverRegistry.builtIn.makeObserver("mse")) }  // 4096 bins ≠ 1024
        #expect(throws: ObserverError.self) {
            try saved.withOptions(of: ObserverRegistry.builtIn.makeObserver(
                "mse", options: OptionValue.object(["bins": .number(1024), "granularity": .object(["perChannel": .object(["axis": .number(1)])])])))
        }
    }

    @Test(arguments: 0..<24)
    func damageIsDetected(_ trial: Int) throws {
        let (file, _) = try Self.observedFile()
        var bytes = [UInt8](try file.encoded())
        var rng = SplitMix64(seed: UInt64(trial))
        if trial % 4 == 3 {
            bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
        } else {
            // Flip a digit into another digit (stays valid JSON), or any byte.
            let digits = bytes.indices.filter { (48...57).contains(bytes[$0]) }
            let i = trial % 2 == 0 ? try #require(digits.randomElement(using: &rng)) : Int.random(in: 0..<bytes.count, using: &rng)
            let old = bytes[i]
            bytes[i] = (48...57).contains(old) ? 48 + (old - 48 + UInt8.random(in: 1...9, using: &rng)) % 10 : old ^ 0x20
        }
        #expect(throws: StatisticsFileError.self) { try StatisticsFile(decoding: Data(bytes)) }
    }

    @Test func newerVersionAndOtherFormatsAreNamed() throws {
        let (file, _) = try Self.observedFile()
        let text = try #require(String(data: file.encoded(), encoding: .utf8))
        let newer = text.replacingOccurrences(of: "\"version\":1}", with: "\"version\":2}")
        #expect(throws: StatisticsFileError.unsupportedVersion(source: "s.json", found: 2, supported: 1)) {
            try StatisticsFile(decoding: Data(newer.utf8), source: "s.json")
        }
        #expect(throws: StatisticsFileError.self) { try StatisticsFile(decoding: Data("{\"format\":\"other\"}".utf8)) }
    }

    @Test func writesAndReadsFiles() throws {
        let (file, _) = try Self.observedFile()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptqkit-stats-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url)
        #expect(try StatisticsFile(contentsOf: url).encoded() == file.encoded())
        #expect(throws: StatisticsFileError.self) { try StatisticsFile(contentsOf: url.appendingPathExtension("missing")) }
    }
}
