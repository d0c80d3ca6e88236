import Foundation
import HDF5
import Observers
import QuantCore
import TestSupport

@testable import Calibrator

/// A scratch directory removed when the value is dropped by the test.
struct ScratchDirectory {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ptq-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
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
    static let root = TestPaths.repository
    static var weights: String { root.appendingPathComponent("Calibration/weights.h5").path }
    static var activations: String { root.appendingPathComponent("Calibration/activations.h5").path }
    static func config(_ name: String) -> String { root.appendingPathComponent("Configs/\(name)").path }
    static func fixture(_ name: String) -> URL { root.appendingPathComponent("Tests/Fixtures/calibration/\(name)") }
}
