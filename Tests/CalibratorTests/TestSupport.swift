import Foundation
import HDF5
import Observers
import QuantCore

@testable import Calibrator

/// Deterministic pseudo-random numbers (SplitMix64) with a Box–Muller normal sampler.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    /// Standard normal.
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

/// A scratch directory removed when the value is dropped by the test.
struct ScratchDirectory {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Writes `datasets` (path → (shape, values)) as float32 into a new HDF5 file.
func writeHDF5(_ path: String, _ datasets: [(String, [Int], [Float])]) throws {
    let file = try File(path, mode: .truncate)
    for (name, shape, values) in datasets {
        let dataset = try file.createDataset(name, type: .float32, shape: shape)
        try dataset.write(values)
    }
}

/// The bundled data (`Calibration/`), found relative to this file.
enum Bundled {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var weights: String { root.appendingPathComponent("Calibration/weights.h5").path }
    static var activations: String { root.appendingPathComponent("Calibration/activations.h5").path }
    static func config(_ name: String) -> String { root.appendingPathComponent("Configs/\(name)").path }
    static func fixture(_ name: String) -> URL { root.appendingPathComponent("Tests/Fixtures/calibration/\(name)") }
}
