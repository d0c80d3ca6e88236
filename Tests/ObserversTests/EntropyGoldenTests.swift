import Foundation
import Testing

@testable import Observers

/// `Tests/Fixtures/entropy_goldens.json` (made by `Tests/Fixtures/make_entropy_goldens.py`): exact
/// histograms on PTQKit's grid and the thresholds the real calibrators choose on that same grid.
struct EntropyGoldens: Decodable {
    struct TensorRT: Decodable {
        let bits: Int
        let unsigned: Bool
        let levels: Int
        let startBin: Int
        let amax: Double
    }

    struct OnnxRuntime: Decodable {
        let bits: Int
        let quantizedBins: Int
        let low: Double
        let high: Double
    }

    struct Histogram: Decodable {
        let name: String
        let state: ExactHistogram
        let tensorrt: [TensorRT]
        let onnxruntime: [OnnxRuntime]
    }

    let sources: [String: String]
    let histograms: [Histogram]

    static let shared: EntropyGoldens? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/entropy_goldens.json")
        return try? JSONDecoder().decode(EntropyGoldens.self, from: Data(contentsOf: url))
    }()

    static let names: [String] = shared?.histograms.map(\.name) ?? []

    static func histogram(_ name: String) throws -> Histogram {
        try #require(shared?.histograms.first { $0.name == name }, "entropy_goldens.json lacks \(name)")
    }
}

/// PTQKit's entropy searches return exactly the thresholds of the real calibrators on the same grid:
/// NVIDIA ModelOpt's `_compute_amax_entropy` (TensorRT's algorithm) and ONNX Runtime's
/// `get_entropy_threshold`.
@Suite struct EntropyGoldenTests {
    @Test func fixtureComesFromTheRealLibraries() throws {
        let g = try #require(EntropyGoldens.shared, "Tests/Fixtures/entropy_goldens.json is missing or unreadable")
        #expect(g.sources["tensorrt"]?.hasPrefix("real library nvidia-modelopt") == true)
        #expect(g.sources["onnxruntime"]?.hasPrefix("real library onnxruntime") == true)
        #expect(g.histograms.count >= 10)
        #expect(g.histograms.allSatisfy { !$0.tensorrt.isEmpty && !$0.onnxruntime.isEmpty })
    }

    /// The screened search and the direct one both equal ModelOpt's amax, to the bit.
    @Test(arguments: EntropyGoldens.names)
    func tensorRTSearchEqualsModelOpt(_ name: String) throws {
        let g = try EntropyGoldens.histogram(name)
        let (abs, w) = g.state.folded()
        for r in g.tensorrt {
            let fast = EntropySearch.tensorRT(absHistogram: abs, binWidth: w, levels: r.levels, startBin: r.startBin)
            let direct = EntropySearch.tensorRTExhaustive(
                absHistogram: abs, binWidth: w, levels: r.levels, startBin: r.startBin)
            #expect(
                fast == r.amax,
                """
                \(name) \(r.bits)-bit \(r.unsigned ? "unsigned" : "signed") start \(r.startBin): \(fast) vs ModelOpt \
                \(r.amax)
                """
            )
            #expect(direct == r.amax, "\(name) \(r.bits)-bit direct search: \(direct) vs ModelOpt \(r.amax)")
        }
    }

    /// The observer's entropy range (TensorRT algorithm): `[−amax, amax]` ∩ `[min, max]` with ModelOpt's amax.
    @Test(arguments: EntropyGoldens.names)
    func tensorRTObserverRangeEqualsModelOpt(_ name: String) throws {
        let g = try EntropyGoldens.histogram(name)
        for r in g.tensorrt {
            let target = RangeTarget.integer(bits: r.bits, signed: !r.unsigned, symmetric: true)
            let method = HistogramRangeMethod.entropy(.init(algorithm: .tensorRT, startBin: r.startBin))
            let (lo, hi) = method.range(of: g.state, target: target)
            let a = Float(r.amax)
            #expect(
                lo == max(-a, g.state.min) && hi == min(a, g.state.max),
                "\(name) \(r.bits)-bit: [\(lo), \(hi)], ModelOpt amax \(a)")
        }
    }

    /// ONNX Runtime's thresholds, exactly (the grid is the same: the histogram is ORT's input).
    @Test(arguments: EntropyGoldens.names)
    func onnxRuntimeSearchEqualsOnnxRuntime(_ name: String) throws {
        let g = try EntropyGoldens.histogram(name)
        for r in g.onnxruntime {
            let (low, high) = EntropySearch.onnxRuntime(g.state, quantizedBins: r.quantizedBins)
            #expect(
                low == r.low && high == r.high, "\(name) \(r.bits)-bit: (\(low), \(high)) vs ORT (\(r.low), \(r.high))")
        }
    }
}
