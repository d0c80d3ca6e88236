import QuantCore
import Testing

@testable import Observers

@Suite struct MinMaxObserverTests {
    @Test(arguments: Goldens.names)
    func minAndMaxEqualPyTorchBitForBit(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = MinMaxObserver()
        try o.observe(f.data, shape: f.shape)
        let r = try o.ranges()
        let ref = try #require(f.torch.minmax["quint8_affine"])
        #expect(r.low.map(\.bitPattern) == ref.min_bits)
        #expect(r.high.map(\.bitPattern) == ref.max_bits)
    }

    @Test(arguments: Goldens.names, [0, 1])
    func perChannelEqualsPyTorch(_ name: String, axis: Int) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = MinMaxObserver(options: .init(granularity: .perChannel(axis: axis)))
        // Axis 1 may be observed in row batches; axis 0 (rows) needs the whole tensor per batch.
        if axis == 1 {
            let data = f.data
            for b in 0..<4 {
                try o.observe(Array(data[(b * 32 * 64)..<((b + 1) * 32 * 64)]), shape: [32, 64])
            }
        } else {
            try o.observe(f.data, shape: f.shape)
        }
        let r = try o.ranges()
        let ref = try #require(f.torch.per_channel["qint8_symmetric_axis\(axis)"])
        #expect(r.slotShape == [f.shape[axis]])
        #expect(r.low.map(\.bitPattern) == ref.min_bits)
        #expect(r.high.map(\.bitPattern) == ref.max_bits)
    }

    @Test(arguments: Goldens.names)
    func movingAverageEqualsPyTorch(_ name: String) throws {
        let f = try #require(Goldens.shared?.fixtures[name])
        var o = try MovingAverageMinMaxObserver()
        let data = f.data
        for b in 0..<4 {
            try o.observe(Array(data[(b * 32 * 64)..<((b + 1) * 32 * 64)]), shape: [32, 64])
        }
        let r = try o.ranges()
        let ref = try #require(f.torch.moving_average["quint8_affine"])
        #expect(r.low.map(\.bitPattern) == ref.min_bits)
        #expect(r.high.map(\.bitPattern) == ref.max_bits)
    }

    @Test(arguments: [0, 1, 2])
    func perGroupMatchesDirectComputation(axis: Int) throws {
        let shape = [3, 10, 5]
        let data = (0..<150).map { Float(($0 * 37) % 101) - 50 }
        var o = MinMaxObserver(options: .init(granularity: .perGroup(axis: axis, size: 3)))
        try o.observe(data, shape: shape)
        let r = try o.ranges()
        var expectShape = shape
        expectShape[axis] = (shape[axis] + 2) / 3
        #expect(r.slotShape == expectShape)
        // Reference: visit every element and reduce into its group slot.
        let layout = try ParameterLayout(granularity: .perGroup(axis: axis, size: 3), shape: shape)
        var lo = [Float](repeating: .infinity, count: layout.parameterCount)
        var hi = [Float](repeating: -.infinity, count: layout.parameterCount)
        for (flat, x) in data.enumerated() {
            let s = layout.parameterIndex(ofElement: flat)
            lo[s] = min(lo[s], x)
            hi[s] = max(hi[s], x)
        }
        #expect(r.low == lo)
        #expect(r.high == hi)
    }

    @Test func perChannelWithWideInnerAxis() throws {
        // [2, 3, 20]: inner 20 ≥ 16 takes the slice-scan path.
        let data = (0..<120).map { Float(($0 * 53) % 97) }
        var o = MinMaxObserver(options: .init(granularity: .perChannel(axis: 1)))
        try o.observe(data, shape: [2, 3, 20])
        let r = try o.ranges()
        for c in 0..<3 {
            let vals = (0..<2).flatMap { oi in (0..<20).map { data[(oi * 3 + c) * 20 + $0] } }
            #expect(r.low[c] == vals.min())
            #expect(r.high[c] == vals.max())
        }
    }

    @Test func laterBatchWithOtherChannelCountIsRejected() throws {
        var o = MinMaxObserver(options: .init(granularity: .perChannel(axis: 1)))
        try o.observe([Float](repeating: 1, count: 8), shape: [2, 4])
        #expect(throws: ObserverError.self) { try o.observe([Float](repeating: 1, count: 6), shape: [2, 3]) }
        #expect(throws: ObserverError.self) { try o.observe([Float](repeating: 1, count: 5), shape: [2, 3]) }
        var bad = MinMaxObserver(options: .init(granularity: .perChannel(axis: 2)))
        #expect(throws: ObserverError.self) { try bad.observe([Float](repeating: 1, count: 8), shape: [2, 4]) }
    }

    @Test func movingAverageRefusesOrderDependentMerge() throws {
        var a = try MovingAverageMinMaxObserver()
        var b = try MovingAverageMinMaxObserver()
        try a.observe([1, 2, 3])
        try b.observe([4, 5])
        #expect(throws: ObserverError.self) { try a.merge(b) }
        var empty = try MovingAverageMinMaxObserver()
        try empty.merge(a)
        #expect(empty.state == a.state)
    }
}
