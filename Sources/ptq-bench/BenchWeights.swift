import Foundation
import PTQKit

/// A benchmark weights file: `gib` GiB of float32 weights (2 by default; `suite --weights-gib 1,2,4` measures
/// how memory and speed scale), one 512 MiB tensor (`/big/weight`, [131072, 1024]) and `gib·16 − 8` layers
/// of 64 MiB (`/lNN/weight`, [16384, 1024]; 24 for 2 GiB), each layer with a bias of its
/// output channels; Gaussian values with a per-channel scale (every 97th channel 20× larger, as outlier
/// channels are). Chunks of 256 rows, uncompressed. Generated once with ``BenchRandom`` and cached under
/// `bench-data/` (git-ignored).
struct BenchWeights {
    /// Size of the weights in GiB (at least 1).
    var gib = 2

    static let columns = 1024
    static let chunkRows = 256
    /// Output channels of the large tensor (512 MiB as float32).
    static let bigRows = 131_072
    /// Output channels of each of the small layers (64 MiB each).
    static let layerRows = 16_384
    /// Layers of 64 MiB besides the 512 MiB tensor.
    var layerCount: Int { Swift.max(0, gib * 16 - 8) }
    /// Bumped whenever the generated values change.
    static let version = 1

    /// (layer name, output channels) in file order.
    var layers: [(name: String, rows: Int)] {
        [("big", Self.bigRows)] + (0..<layerCount).map { (String(format: "l%02d", $0), Self.layerRows) }
    }

    /// Bytes of float32 weights (biases excluded).
    var bytes: Int { layers.reduce(0) { $0 + $1.rows } * Self.columns * 4 }

    /// The cached file's path under `directory`, generating it first when missing.
    func file(in directory: String) throws -> String {
        let path = "\(directory)/weights-v\(Self.version)-\(bytes >> 20)MiB.h5"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let partial = path + ".partial"
        print("generating \(path) (\(bytes >> 20) MiB, once)...")
        let elapsed = try ContinuousClock().measure { try generate(partial) }
        print("  done in \(elapsed)")
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return path
    }

    /// Writes every layer, one chunk of rows at a time, each chunk from its own seeded stream.
    func generate(_ path: String) throws {
        let file = try File(path, mode: .truncate)
        let (chunkRows, columns) = (Self.chunkRows, Self.columns)
        var block = [Float](repeating: 0, count: chunkRows * columns)
        for (index, layer) in layers.enumerated() {
            let weight = try file.createDataset(
                "/\(layer.name)/weight", type: .float32, shape: [layer.rows, columns],
                options: DatasetOptions(chunkShape: [chunkRows, columns]))
            for blockIndex in 0..<(layer.rows / chunkRows) {
                var random = BenchRandom(seed: UInt64(index + 100) << 32 | UInt64(blockIndex))
                for row in 0..<chunkRows {
                    let channel = blockIndex * chunkRows + row
                    let scale: Float = (channel % 97 == 0 ? 20 : 1) * 0.02
                    for column in 0..<columns { block[row * columns + column] = random.normal() * scale }
                }
                try block.withUnsafeBufferPointer { try weight.writeRows(startingAt: blockIndex * chunkRows, from: $0) }
            }
            var random = BenchRandom(seed: UInt64(index + 100) << 32 | 0xFFFF_FFFF)
            let bias = (0..<layer.rows).map { _ in random.normal() * 0.1 }
            try file.createDataset("/\(layer.name)/bias", type: .float32, shape: [layer.rows]).write(bias)
        }
        try file.flush()
    }
}
