/// A small seeded generator so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func normal() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return Float((-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v))
    }

    /// Test data of `count` elements: Gaussian, post-ReLU, heavy-tailed or mixed magnitudes.
    mutating func tensor(count: Int, kind: Int) -> [Float] {
        (0..<count).map { _ in
            let g = normal()
            switch kind % 4 {
            case 0: return g * 3
            case 1: return max(g, 0)
            case 2: return g / max(abs(normal()), 0.05)
            default: return g * Float.random(in: 0.001...1000, using: &self)
            }
        }
    }
}

import Foundation
private func _log(_ x: Double) -> Double { Foundation.log(x) }
private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
