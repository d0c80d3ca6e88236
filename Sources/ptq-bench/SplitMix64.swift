/// SplitMix64 (Steele, Lea and Flood 2014): the benchmarks' deterministic 64-bit generator, and the
/// seeding step of ``BenchRandom``. Every benchmark input is a pure function of its seed.
struct SplitMix64 {
    /// The generator's state: advanced by the golden-ratio increment 0x9E3779B97F4A7C15 per draw.
    var state: UInt64

    /// The next 64 random bits: z = state += γ; z = (z ⊕ z≫30)·c1; z = (z ⊕ z≫27)·c2; z ⊕ z≫31.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
