import Foundation
import TestSupport
import Testing

/// Builds `Examples/CustomObserver` (its own package: the full `ptq` built with `PTQCommandLine` plus a
/// `mean-std` observer), calibrates the bundled data with `Configs/custom-observer.yaml` through it, has
/// its `verify` accept the package, and checks the recorded activation ranges against numpy's statistics
/// of the bundled activations (`Calibration/reference_stats.json`).
///
/// The example builds into `.build-example` (a first build compiles PTQKit and its dependencies again:
/// about two minutes on two cores; later runs are incremental).
@Suite struct CustomObserverExampleTests {
    struct Reference: Decodable {
        struct Stats: Decodable { var min: Double, max: Double, mean: Double, std: Double }
        var files: [String: [String: Stats]]
    }

    /// SwiftPM keeps the build plan of a path dependency (PTQKit) in `debug.yaml` and does not notice
    /// source files added to or removed from it (the reused plan fails with "cannot find ... in scope");
    /// re-planning alone over the old `build.db` linked mismatched objects (a crash copying a
    /// `LayerCalibration`). So when PTQKit's list of source files changed since the last run, both are
    /// dropped and the example is rebuilt from scratch (the package checkouts are kept).
    static func forgetStalePlan(scratch: URL, sources: URL) throws {
        let listing = scratch.appendingPathComponent("ptqkit-sources.txt")
        let files = (FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".swift") || $0.hasSuffix(".h") || $0.hasSuffix(".modulemap") }.sorted()
        let current = Data(files.joined(separator: "\n").utf8)
        guard (try? Data(contentsOf: listing)) != current else { return }
        for name in ["debug.yaml", "build.db"] {
            try? FileManager.default.removeItem(at: scratch.appendingPathComponent(name))
        }
        try current.write(to: listing)
    }

    /// Runs `executable` with `arguments` from the repository root: exit status and combined output.
    static func run(_ executable: String, _ arguments: [String], log: URL) throws -> (status: Int32, output: String) {
        let child = try SpawnedProcess(executable, arguments, directory: Bundled.root.path, output: .file(log.path))
        return (child.wait(), try String(contentsOf: log, encoding: .utf8))
    }

    @Test(.timeLimit(.minutes(10)))
    func exampleIsTheFullToolWithItsOwnObserver() throws {
        let root = Bundled.root
        let scratch = root.appendingPathComponent(".build-example")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try Self.forgetStalePlan(scratch: scratch, sources: root.appendingPathComponent("Sources"))
        let log = scratch.appendingPathComponent("run-output.txt")
        let build = try Self.run(
            "/usr/bin/env",
            [
                "swift", "build", "--package-path", root.appendingPathComponent("Examples/CustomObserver").path,
                "--scratch-path", scratch.path, "--product", "CustomObserver",
            ], log: log)
        try #require(build.status == 0, "swift build failed:\n\(build.output.suffix(4000))")
        let ptq = scratch.appendingPathComponent("debug/CustomObserver").path

        // The real `ptq calibrate` (probe included: it re-executes this binary) with the user's observer.
        let package = scratch.appendingPathComponent("custom-observer-package")
        try? FileManager.default.removeItem(at: package)
        let calibrate = try Self.run(
            ptq,
            [
                "calibrate", "--config", "Configs/custom-observer.yaml", "--weights", "Calibration/weights.h5",
                "--activations", "Calibration/activations.h5", "--output", package.path, "--quiet",
            ], log: log)
        try #require(calibrate.status == 0, "calibrate failed:\n\(calibrate.output.suffix(4000))")
        let verify = try Self.run(ptq, ["verify", package.path, "--against", "Calibration/weights.h5"], log: log)
        #expect(verify.status == 0, "verify failed:\n\(verify.output.suffix(4000))")

        // mean ± 2σ, clamped to [min, max], from numpy (float64, ddof = 0), as the manifest records it.
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: root.appendingPathComponent("Calibration/reference_stats.json")))
        let stats = try #require(reference.files["activations.h5"])
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: package.appendingPathComponent("manifest.json")))
                as? [String: Any])
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        for layer in ["fc1", "fc2", "fc3"] {
            let record = try #require(layers.first { $0["name"] as? String == layer })
            let activation = try #require(record["activation"] as? [String: Any], "no activation for \(layer)")
            #expect(activation["observer"] as? String == "mean-std")
            let s = try #require(stats["/\(layer)"])
            let low = try #require(activation["range_min"] as? Double)
            let high = try #require(activation["range_max"] as? Double)
            let expectedLow = max(s.min, s.mean - 2 * s.std)
            let expectedHigh = min(s.max, s.mean + 2 * s.std)
            #expect(abs(low - expectedLow) <= 1e-5 * max(1, abs(expectedLow)), "\(layer) low \(low) vs \(expectedLow)")
            #expect(
                abs(high - expectedHigh) <= 1e-5 * max(1, abs(expectedHigh)), "\(layer) high \(high) vs \(expectedHigh)"
            )
        }
    }
}
