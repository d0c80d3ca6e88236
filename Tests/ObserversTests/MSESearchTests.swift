import QuantCore
import Testing

@testable import Observers

/// The MSE observer's range, quantized with PyTorch's formulas, has a quantization MSE on the data
/// no worse than PyTorch's HistogramObserver's (whose MSE the fixture script measured with
/// `torch.fake_quantize_per_tensor_affine`).
@Suite struct MSESearchTests {
    static let schemes: [(String, IntegerFormat, Symmetry)] = [
        ("quint8_affine", .uint8, .asymmetric), ("qint8_symmetric", .int8, .symmetric),
    ]

    /// Mean squared error of fake-quantizing `data` with `p` (QuantCore kernel), in Double.
    static func mse(_ data: [Float], _ p: QuantizationParameters) throws -> Double {
        let fq = try p.fakeQuantize(data)
        return zip(data, fq).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
            / Double(data.count)
    }

    @Test(arguments: Goldens.names, [0, 1])
    func histogramMSERangeIsNoWorseThanPyTorch(_ name: String, schemeIndex: Int) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let (key, format, symmetry) = Self.schemes[schemeIndex]
        let ref = try #require(f.torch.histogram[key])
        let scheme = try AffineScheme(format: format, symmetry: symmetry, profile: .pytorch)
        var o = try HistogramObserver(options: .init(method: .mse))
        try o.observe(f.data, shape: f.shape)
        let ours = try Self.mse(f.data, o.parameters(for: scheme, shape: f.shape))
        #expect(ours <= ref.mse * (1 + 1e-9), "\(name) \(key): ours \(ours) vs PyTorch HistogramObserver \(ref.mse)")
    }

    @Test(arguments: Goldens.names, [0, 1])
    func exactDataSearchIsNoWorseThanPyTorch(_ name: String, schemeIndex: Int) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        let (key, format, symmetry) = Self.schemes[schemeIndex]
        let ref = try #require(f.torch.histogram[key])
        let scheme = try AffineScheme(format: format, symmetry: symmetry, profile: .pytorch)
        let data = f.data
        let r = data.withUnsafeBufferPointer { ClippingSearch.mse(data: $0, target: RangeTarget(scheme)) }
        #expect(r.score <= r.fullRangeScore)
        let p = try scheme.parameters(mins: [Float(r.low)], maxs: [Float(r.high)], shape: f.shape)
        let ours = try Self.mse(data, p)
        #expect(ours <= ref.mse * (1 + 1e-9), "\(name) \(key): ours \(ours) vs PyTorch HistogramObserver \(ref.mse)")
    }

    /// The histogram model's expected error agrees with the error measured on the data.
    @Test(arguments: Goldens.names)
    func expectedErrorModelTracksTheData(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = try HistogramObserver(options: .init(method: .mse))
        try o.observe(f.data, shape: f.shape)
        let h = o.state.histograms[0]
        let target = RangeTarget.integer(bits: 8, signed: false, symmetric: false)
        let r = ClippingSearch.mse(h, target: target)
        let g = try #require(QuantizationGrid(lo: r.low, hi: r.high, target: target))
        let measured = f.data.reduce(0.0) { $0 + pow2(Double($1) - g.fakeQuantize(Double($1))) } / Double(f.data.count)
        #expect(abs(measured - r.score) <= 0.25 * r.score, "model \(r.score) vs data \(measured)")
    }
}

private func pow2(_ x: Double) -> Double { x * x }
