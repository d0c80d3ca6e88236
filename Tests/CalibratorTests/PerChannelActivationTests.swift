import Foundation
import Observers
import QuantCore
import TestSupport
import Testing

@testable import Calibrator

/// Per-channel activation parameters (`granularity: per-channel`, `axis`, `zero-point`).
@Suite struct PerChannelActivationTests {
    static let rows = 50
    static let shape = [3, 6]  // [tokens, features] per row

    /// `[rows, 3, 6]` values whose channel c (last axis) spans about `[−(c+1), 2(c+1)]`, plus a dead channel 5.
    static func data(seed: UInt64 = 9) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(rows * 18)).map { i in
            let c = i % 6
            return c == 5 ? 0 : Float(rng.normal()) * Float(c + 1) + Float(c) * 0.5
        }
    }

    /// Channel `c`'s values (index `c` along the last axis).
    static func channel(_ c: Int, of x: [Float]) -> [Float] { stride(from: c, to: x.count, by: 6).map { x[$0] } }

    func calibrate(_ activations: String, data: [Float] = PerChannelActivationTests.data()) throws
        -> ActivationCalibration
    {
        let scratch = try ScratchDirectory("per-channel-acts")
        defer { scratch.remove() }
        let path = scratch.path("a.h5")
        try writeHDF5(path, [("/a", [Self.rows] + Self.shape, data)])
        let config = try CalibrationConfig.parse("{\"version\": 1, \"activations\": \(activations)}")
        let result = try Calibrator(config: config).calibrate(weights: nil, activations: [path])
        return try #require(result.layers.first { $0.layer == "a" }?.activation)
    }

    @Test func minMaxPerChannelIsEachChannelsOwnParameters() throws {
        let a = try calibrate("{\"granularity\": \"per-channel\"}")
        let channels = try #require(a.channels)
        #expect(channels.axis == 2)
        #expect(channels.zeroPoint == .perChannel)
        let scheme = try AffineScheme(format: .int8, symmetry: .asymmetric, profile: .ptqkit)
        let x = Self.data()
        for c in 0..<6 {
            let v = Self.channel(c, of: x)
            let p = scheme.parameters(min: v.min() ?? 0, max: v.max() ?? 0)
            #expect(channels.rangeMin[c] == v.min() && channels.rangeMax[c] == v.max(), "channel \(c)")
            #expect(channels.scales[c] == p.scale && channels.zeroPoints[c] == p.zeroPoint, "channel \(c)")
        }
        #expect(a.rangeMin == x.min() && a.rangeMax == x.max())
        #expect(a.degenerate == .zeroWidth)  // channel 5 only saw zeros
        #expect(Set(channels.zeroPoints).count > 1)
    }

    @Test func sharedZeroPointCoversEveryChannel() throws {
        let a = try calibrate("{\"granularity\": \"per-channel\", \"zero-point\": \"shared\"}")
        let channels = try #require(a.channels)
        #expect(Set(channels.zeroPoints).count == 1)
        let z = Double(channels.zeroPoints[0])
        let x = Self.data()
        for c in 0..<5 {
            let v = Self.channel(c, of: x)
            let s = Double(channels.scales[c])
            // the channel's range stays on the grid: no clipping beyond half a step
            #expect(Double(v.min() ?? 0) / s + z >= -128 - 1e-6 && Double(v.max() ?? 0) / s + z <= 127 + 1e-6)
            // and the scale is tight: one code less on the binding side would clip
            let needed = max(Double(max(v.max() ?? 0, 0)) / (127 - z), Double(min(v.min() ?? 0, 0)) / (-128 - z))
            #expect(s >= needed && s <= needed * (1 + 1e-6), "channel \(c): \(s) vs \(needed)")
        }
        let scheme = try AffineScheme(format: .int8, symmetry: .asymmetric, profile: .ptqkit)
        let expected = scheme.sharedZeroPointParameters(mins: channels.rangeMin, maxs: channels.rangeMax)
        #expect(expected.map(\.scale) == channels.scales)
    }

    /// The histogram family per channel: each channel's percentile range is the per-tensor one of its values.
    @Test func percentilePerChannelIsThePercentileOfEachChannel() throws {
        let a = try calibrate(
            """
            {"granularity": "per-channel", "scheme": "symmetric", "observer": {"name": "percentile", \
            "options": {"percentile": 99}}}
            """)
        let channels = try #require(a.channels)
        let x = Self.data()
        for c in 0..<5 {
            var o = try HistogramObserver(options: .init(method: .percentile(.init(percentile: 99))))
            try o.observe(Self.channel(c, of: x), shape: [Self.rows * 3])
            let r = try o.ranges(for: .integer(bits: 8, signed: true, symmetric: true))
            #expect(channels.rangeMin[c] == r.low[0] && channels.rangeMax[c] == r.high[0], "channel \(c)")
        }
    }

    @Test func anObserverWithoutPerChannelStatisticsIsAConfigErrorNamingTheKey() throws {
        struct Plain: Codable, Sendable {}
        var registry = ObserverRegistry.builtIn
        try registry.register(name: "plain", summary: "min-max without options", defaults: Plain()) { _ in
            MinMaxObserver()
        }
        let scratch = try ScratchDirectory("per-channel-plain")
        defer { scratch.remove() }
        try writeHDF5(scratch.path("a.h5"), [("/a", [4, 6], [Float](repeating: 1, count: 24))])
        let config = try CalibrationConfig.parse(
            "{\"version\": 1, \"activations\": {\"granularity\": \"per-channel\", \"observer\": \"plain\"}}")
        let calibrator = try Calibrator(config: config, observers: registry)
        #expect {
            try calibrator.calibrate(weights: nil, activations: [scratch.path("a.h5")])
        } throws: { error in
            guard case CalibrationError.config(let e) = error else { return false }
            return "\(e)".contains("activations.granularity") && "\(e)".contains("plain")
        }
    }

    @Test(arguments: [
        ("{\"granularity\": \"per-group\"}", "activations.granularity"),
        ("{\"granularity\": \"per-channel\", \"axis\": 0}", "activations.axis"),
    ])
    func rowsAxisAndPerGroupAreConfigErrors(section: String, key: String) throws {
        #expect {
            _ = try CalibrationConfig.parse("{\"version\": 1, \"activations\": \(section)}")
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    @Test func zeroPointIsAnActivationKey() throws {
        #expect {
            _ = try CalibrationConfig.parse("{\"version\": 1, \"weights\": {\"zero-point\": \"shared\"}}")
        } throws: { error in
            "\(error)".contains("weights") && "\(error)".contains("zero-point")
        }
        let config = try CalibrationConfig.parse(
            "{\"version\": 1, \"overrides\": [{\"match\": \"a\", \"activations\": {\"zero-point\": \"shared\"}}]}")
        #expect(config.overrides[0].activations?.zeroPoint == .shared)
    }

    /// Sharded observation merges exactly per channel (min-max and histograms, `auto` decided on them).
    @Test(arguments: ["minmax", "histogram", "mse"], [2, 5])
    func mergedShardsGiveTheSingleRunResult(observer: String, shards: Int) throws {
        let scratch = try ScratchDirectory("per-channel-sharded")
        defer { scratch.remove() }
        var files: [String] = []
        for f in 0..<3 {
            let rows = [17, 40, 9][f]
            let path = scratch.path("s-\(f).h5")
            try writeHDF5(path, [("/a", [rows] + Self.shape, Array(Self.data(seed: UInt64(f)).prefix(rows * 18)))])
            files.append(path)
        }
        let config = try CalibrationConfig.parse(
            """
            {"version": 1, "activations": {"granularity": "per-channel", "scheme": "auto", "observer": "\(observer)"}}
            """)
        let calibrator = try Calibrator(config: config)
        let whole = try calibrator.calibrate(weights: nil, activations: files)
        let sharded = try calibrateSharded(calibrator, weights: nil, files: files.reversed(), shards: shards)
        #expect(whole.layers.first?.activation?.channels?.scales.count == 6)
        var expected = whole
        expected.inputs.activations = files.sorted()
        #expect(try sharded.encodedJSON() == expected.encodedJSON())
    }

    /// A per-channel input has no single scale to fold into int32 bias codes: the bias stays in float.
    @Test func biasStaysFloatBehindAPerChannelInput() throws {
        let config = try CalibrationConfig.parse(
            "{\"version\": 1, \"activations\": {\"granularity\": \"per-channel\"}}")
        let result = try Calibrator(config: config).calibrate(
            weights: Bundled.weights, activations: [Bundled.activations])
        let fc1 = try #require(result.layers.first { $0.layer == "fc1" })
        #expect(fc1.activation?.channels?.scales.count == 64)
        #expect(fc1.bias?.quantized == false)
        #expect(fc1.bias?.reason.contains("per channel") == true)
    }
}
