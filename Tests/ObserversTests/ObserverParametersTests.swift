import QuantCore
import Testing

@testable import Observers

/// Observed ranges → QuantCore parameters, bit for bit against PyTorch under the PyTorch profile.
@Suite struct ObserverParametersTests {
    /// The fixture script's PyTorch schemes.
    static let schemes: [String: (IntegerFormat, Symmetry)] = [
        "quint8_affine": (.uint8, .asymmetric), "qint8_symmetric": (.int8, .symmetric),
        "qint8_affine": (.int8, .asymmetric), "quint8_symmetric": (.uint8, .symmetric),
    ]

    static func scheme(_ name: String, _ granularity: Granularity = .perTensor) throws -> AffineScheme {
        let (format, symmetry) = try #require(schemes[name])
        return try AffineScheme(format: format, symmetry: symmetry, granularity: granularity, profile: .pytorch)
    }

    static func expectEqual(_ p: QuantizationParameters, _ ref: Goldens.QParams) {
        #expect(p.scales.map(\.bitPattern) == ref.scale_bits)
        #expect(p.zeroPoints.map(Int.init) == ref.zero_point)
    }

    @Test(arguments: Goldens.names, Array(schemes.keys).sorted())
    func minMaxParametersEqualPyTorch(_ name: String, scheme: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = MinMaxObserver()
        try o.observe(f.data, shape: f.shape)
        Self.expectEqual(try o.parameters(for: Self.scheme(scheme)), try #require(f.torch.minmax[scheme]))
    }

    @Test(arguments: Goldens.names, [0, 1])
    func perChannelParametersEqualPyTorch(_ name: String, axis: Int) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = MinMaxObserver(options: .init(granularity: .perChannel(axis: axis)))
        try o.observe(f.data, shape: f.shape)
        for scheme in Self.schemes.keys.sorted() {
            let p = try o.parameters(for: Self.scheme(scheme, .perChannel(axis: axis)), shape: f.shape)
            #expect(p.shape == f.shape)
            Self.expectEqual(p, try #require(f.torch.per_channel["\(scheme)_axis\(axis)"]))
        }
    }

    @Test(arguments: Goldens.names, Array(schemes.keys).sorted())
    func movingAverageParametersEqualPyTorch(_ name: String, scheme: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = try MovingAverageMinMaxObserver()
        let data = f.data
        for b in 0..<4 { try o.observe(Array(data[(b * 2048)..<((b + 1) * 2048)]), shape: [32, 64]) }
        Self.expectEqual(try o.parameters(for: Self.scheme(scheme)), try #require(f.torch.moving_average[scheme]))
    }

    @Test func schemeGranularityMustMatchObservation() throws {
        var o = MinMaxObserver(options: .init(granularity: .perChannel(axis: 1)))
        try o.observe([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(throws: ObserverError.self) { try o.parameters(for: AffineScheme(granularity: .perTensor)) }
        #expect(throws: ObserverError.self) {
            try o.parameters(for: AffineScheme(granularity: .perChannel(axis: 1)), shape: [2, 4])
        }
        let p = try o.parameters(for: AffineScheme(granularity: .perChannel(axis: -1)), shape: [7, 3])
        #expect(p.scales.count == 3)
    }

    static let degenerate: [[Float]] = [
        [Float](repeating: 0, count: 16), [Float](repeating: 2.5, count: 9), [-4], [Float](repeating: .nan, count: 5),
        [.infinity, -.infinity, .nan], [.infinity, 3, -.infinity], [],
    ]

    @Test(arguments: 0..<degenerate.count, CompatibilityProfile.allCases)
    func degenerateInputsGiveFiniteParameters(_ index: Int, profile: CompatibilityProfile) throws {
        let x = Self.degenerate[index]
        var observers: [AnyObserver] = [
            AnyObserver(MinMaxObserver()), AnyObserver(try MovingAverageMinMaxObserver()),
            AnyObserver(try HistogramObserver(options: .init(bins: 64, method: .mse))),
            AnyObserver(try HistogramObserver(options: .init(bins: 64, method: .entropy(.init())))),
            AnyObserver(try HistogramObserver(options: .init(bins: 64, method: .percentile(.init())))),
        ]
        for symmetry in Symmetry.allCases where !(profile == .tensorrt && symmetry == .asymmetric) {
            let scheme = try AffineScheme(format: .int8, symmetry: symmetry, profile: profile)
            for i in observers.indices {
                try observers[i].observe(x, shape: [x.count])
                let p = try observers[i].parameters(for: scheme)
                #expect(
                    p.scales.allSatisfy { $0.isFinite && $0 > 0 },
                    "\(observers[i].kind) \(profile) \(symmetry): \(p.scales)")
                #expect(p.zeroPoints.allSatisfy { $0 >= scheme.format.qmin && $0 <= scheme.format.qmax })
            }
        }
    }
}
