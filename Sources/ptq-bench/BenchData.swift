import Foundation
import PTQKit

/// The benchmark's activation file: 8 float32 datasets of shape [32768, 1024] (1 GiB), chunks of 256 × 1024
/// rows (1 MiB, uncompressed), each with a distribution seen in real activations. Generated once with a
/// deterministic PRNG (the same bytes on every machine) and cached under `bench-data/` (git-ignored).
enum BenchData {
    /// One dataset of the file: its name and how element (row, column) is drawn.
    struct Spec: Sendable {
        var name: String
        var draw: @Sendable (inout BenchRandom, Int) -> Float
    }

    static let rows = 32768
    static let columns = 1024
    static let chunkRows = 256
    /// Bumped whenever the generated values change, so a stale cached file is never reused.
    static let version = 2

    /// The datasets, each a realistic activation distribution.
    static let specs: [Spec] = [
        Spec(name: "gaussian") { random, _ in random.normal() },
        // Post-ReLU: half the values exactly zero, a half-normal rest.
        Spec(name: "relu") { random, _ in max(0, random.normal() + 0.1) },
        // Student-t with 3 degrees of freedom: heavy tails (|x| > 10 about 0.2% of the time).
        Spec(name: "student_t3") { random, _ in
            // t = z / √(χ²₃ / 3) with χ²₃ the sum of three squared standard normals.
            let z = random.normal()
            var chi2: Float = 0
            for _ in 0..<3 {
                let n = random.normal()
                chi2 += n * n
            }
            return z / (chi2 / 3).squareRoot()
        },
        // LLM-style outlier channels: 6 of 1024 columns 40–80× larger than the rest.
        Spec(name: "outlier_channels") { random, column in
            let scale: Float = [17, 211, 388, 500, 777, 1001].contains(column) ? 40 + Float(column % 41) : 1
            return random.normal() * scale
        },
        Spec(name: "lognormal") { random, _ in Float(Foundation.exp(Double(random.normal() * 0.8))) },
        // Gaussian with a dead (constant) column every 64 columns.
        Spec(name: "constant_columns") { random, column in column % 64 == 5 ? 0.75 : random.normal() * 0.5 },
        // GELU of a Gaussian (transformer MLP activations): skewed, small negative lobe.
        Spec(name: "gelu") { random, _ in
            let x = random.normal() * 1.5
            return 0.5 * x * (1 + Float(Foundation.tanh(0.797_884_6 * Double(x + 0.044_715 * x * x * x))))
        },
        // Bimodal mixture with a few rows of large spikes (attention sinks).
        Spec(name: "bimodal_spikes") { random, _ in
            let mode: Float = random.next() & 1 == 0 ? -2 : 3
            let spike: Float = random.next() % 100_000 == 0 ? 250 : 0
            return mode + random.normal() * 0.6 + spike
        },
    ]

    /// Bytes of Float32 data in the file of `scale` × ``rows`` rows per dataset.
    static func bytes(scale: Int = 1) -> Int { specs.count * rows * scale * columns * 4 }

    /// The cached file's path under `directory` (datasets of `scale` × ``rows`` rows; the first ``rows``
    /// rows are the same at every scale), generating it first when missing.
    static func file(in directory: String, scale: Int = 1) throws -> String {
        let rows = self.rows * scale
        let bytes = bytes(scale: scale)
        let path = "\(directory)/activations-v\(version)-\(rows)x\(columns)x\(specs.count).h5"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let partial = path + ".partial"
        print("generating \(path) (\(bytes >> 20) MiB, once)...")
        let elapsed = try ContinuousClock().measure { try generate(partial, rows: rows) }
        print("  done in \(elapsed)")
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return path
    }

    /// Writes every dataset, one chunk of rows at a time; chunk `b` of dataset `d` draws from its own
    /// stream seeded by (d, b), so the values do not depend on the write order.
    static func generate(_ path: String, rows: Int) throws {
        let file = try File(path, mode: .truncate)
        var block = [Float](repeating: 0, count: chunkRows * columns)
        for (index, spec) in specs.enumerated() {
            let dataset = try file.createDataset(
                spec.name, type: .float32, shape: [rows, columns],
                options: DatasetOptions(chunkShape: [chunkRows, columns]))
            for blockIndex in 0..<(rows / chunkRows) {
                var random = BenchRandom(seed: UInt64(index) << 32 | UInt64(blockIndex))
                for row in 0..<chunkRows {
                    for column in 0..<columns { block[row * columns + column] = spec.draw(&random, column) }
                }
                try block.withUnsafeBufferPointer {
                    try dataset.writeRows(startingAt: blockIndex * chunkRows, from: $0)
                }
            }
        }
        try file.flush()
    }
}

/// xoshiro256** seeded through SplitMix64: a small, fast, deterministic PRNG for the benchmark data.
struct BenchRandom {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spare: Float?

    init(seed: UInt64) {
        var seeder = SplitMix64(state: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in (0, 1].
    mutating func unit() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// Standard normal (Box–Muller, both values of a pair used).
    mutating func normal() -> Float {
        if let value = spare {
            spare = nil
            return value
        }
        // r = √(−2 ln u₁), θ = 2π u₂: (r cos θ, r sin θ) are independent N(0, 1).
        let r = (-2 * Foundation.log(unit())).squareRoot()
        let theta = 2 * Double.pi * unit()
        spare = Float(r * Foundation.sin(theta))
        return Float(r * Foundation.cos(theta))
    }
}
