import Foundation
import JSON
import QuantCore
import TestSupport
import Testing

@testable import Observers

/// "Calibrate once, choose later": saved observer states (what ModelPackage's `.ptqstats` files
/// embed) re-calibrate with another method or bit width without the tensors.
@Suite struct RecalibrationTests {
    /// Saved states by entry name, as JSON, and the tensors they were observed on.
    static func observedFile() throws -> ([String: AnyObserver], [String: [Float]]) {
        var rng = SplitMix64(seed: 42)
        let act = rng.tensor(count: 4096, kind: 0)
        let relu = rng.tensor(count: 2048, kind: 1)
        let w = rng.tensor(count: 512, kind: 2)
        var h = try ObserverRegistry.builtIn.makeObserver("percentile", options: JSONValue.object(["bins": .int(1024)]))
        try h.observe(act, shape: [64, 64])
        var r = try ObserverRegistry.builtIn.makeObserver("histogram")
        try r.observe(relu, shape: [32, 64])
        var m = try ObserverRegistry.builtIn.makeObserver(
            "minmax", options: JSONValue.object(["granularity": .object(["perChannel": .object(["axis": .int(0)])])]))
        try m.observe(w, shape: [16, 32])
        let saved = try save(["fc1": h, "relu1": r, "fc2.weight": m])
        return (try load(saved), ["fc1": act, "relu1": relu, "fc2.weight": w])
    }

    static func save(_ entries: [String: AnyObserver]) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return try e.encode(entries)
    }

    static func load(_ data: Data) throws -> [String: AnyObserver] {
        try JSONDecoder().decode([String: AnyObserver].self, from: data)
    }

    @Test func roundTripIsByteIdentical() throws {
        let (entries, _) = try Self.observedFile()
        let bytes = try Self.save(entries)
        let back = try Self.load(bytes)
        #expect(try Self.save(back) == bytes)
        #expect(Set(back.keys) == ["fc1", "relu1", "fc2.weight"])
        #expect(back["fc1"]?.kind == "histogram" && back["fc2.weight"]?.kind == "minmax")
    }

    @Test(arguments: ["mse", "entropy", "percentile", "histogram"], [4, 8])
    func recalibrateWithAnotherMethodAndBitWidth(_ method: String, bits: Int) throws {
        let (entries, data) = try Self.observedFile()
        let saved = try #require(entries["fc1"])
        let template = try ObserverRegistry.builtIn.makeObserver(
            method, options: JSONValue.object(["bins": .int(1024)]))
        let recalibrated = try saved.withOptions(of: template)
        // The same as observing the tensor again with that method.
        var direct = template
        try direct.observe(try #require(data["fc1"]), shape: [64, 64])
        let scheme = try AffineScheme(
            format: IntegerFormat(bits: bits, signed: true), symmetry: .symmetric, profile: .ptqkit)
        #expect(
            try recalibrated.parameters(for: scheme, shape: [64, 64])
                == direct.parameters(for: scheme, shape: [64, 64]))
        #expect(try recalibrated.ranges(for: RangeTarget(scheme)) == direct.ranges(for: RangeTarget(scheme)))
    }

    @Test func minMaxStatisticsServeAnyScheme() throws {
        let (entries, data) = try Self.observedFile()
        let saved = try #require(entries["fc2.weight"])
        for format in [IntegerFormat.int8, .uint8, .int4] {
            for symmetry in Symmetry.allCases {
                let scheme = try AffineScheme(
                    format: format, symmetry: symmetry, granularity: .perChannel(axis: 0), profile: .pytorch)
                let expected = try scheme.parameters(fitting: try #require(data["fc2.weight"]), shape: [16, 32])
                #expect(try saved.parameters(for: scheme, shape: [16, 32]) == expected)
            }
        }
    }

    @Test func optionsForAnotherStatisticAreRefused() throws {
        let (entries, _) = try Self.observedFile()
        let saved = try #require(entries["fc1"])
        #expect(throws: ObserverError.self) {
            try saved.withOptions(of: ObserverRegistry.builtIn.makeObserver("minmax"))
        }
        // 4096 bins ≠ 1024
        #expect(throws: ObserverError.self) { try saved.withOptions(of: ObserverRegistry.builtIn.makeObserver("mse")) }
        #expect(throws: ObserverError.self) {
            try saved.withOptions(
                of: ObserverRegistry.builtIn.makeObserver(
                    "mse",
                    options: JSONValue.object([
                        "bins": .int(1024), "granularity": .object(["perChannel": .object(["axis": .int(1)])]),
                    ])))
        }
    }
}
