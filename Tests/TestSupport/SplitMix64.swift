import Foundation

/// SplitMix64 (Steele, Lea and Flood 2014): the seeded generator of every test target and of the fixture
/// scripts (`Tests/Fixtures/make_float_goldens.py`), so a seed names the same sequence on every platform.
///
/// `next()`: `state += 0x9E3779B97F4A7C15`, then `z = state`, `z = (z ^ (z >> 30)) · 0xBF58476D1CE4E5B9`,
/// `z = (z ^ (z >> 27)) · 0x94D049BB133111EB`, result `z ^ (z >> 31)` (all wrapping, mod 2^64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; advanced by the golden-ratio increment on every `next()`.
    public var state: UInt64

    /// A generator whose first output is the mix of `seed + 0x9E3779B97F4A7C15`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1): `(⌊next() / 2^11⌋ + 0.5) / 2^53`, one `next()` per value.
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    /// A standard normal sample from two `uniform()` values (Box–Muller: `√(−2 ln u₁) · cos(2π u₂)`).
    public mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// A standard normal sample as `Float`, Box–Muller on the standard library's `Double.random(in:using:)`
    /// (u₁ in [ε, 1), u₂ in [0, 1)): a different sequence from ``normal()``, the one `tensor(count:kind:)`
    /// draws from.
    public mutating func normalFloat() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }

    /// Test data of `count` elements by `kind % 4`: 0 Gaussian (σ = 3), 1 post-ReLU Gaussian,
    /// 2 heavy-tailed (a Gaussian over |Gaussian| floored at 0.05), 3 mixed magnitudes (Gaussian times a
    /// uniform factor in [0.001, 1000]).
    public mutating func tensor(count: Int, kind: Int) -> [Float] {
        (0..<count).map { _ in
            let g = normalFloat()
            switch kind % 4 {
            case 0: return g * 3
            case 1: return max(g, 0)
            case 2: return g / max(abs(normalFloat()), 0.05)
            default: return g * Float.random(in: 0.001...1000, using: &self)
            }
        }
    }
}
