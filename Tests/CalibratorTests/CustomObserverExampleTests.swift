import Foundation
import Testing

/// Builds and runs `Examples/CustomObserver` (its own package, depending on PTQKit by path) and checks
/// what it prints against numpy's statistics of the bundled activations (`Calibration/reference_stats.json`).
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

    @Test(.timeLimit(.minutes(10)))
    func exampleCalibratesWithItsOwnObserver() throws {
        let root = Bundled.root
        let output = root.appendingPathComponent(".build-example/run-output.txt")
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.forgetStalePlan(scratch: root.appendingPathComponent(".build-example"), sources: root.appendingPathComponent("Sources"))
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swift", "run", "--package-path", root.appendingPathComponent("Examples/CustomObserver").path,
            "--scratch-path", root.appendingPathComponent(".build-example").path, "CustomObserver", root.path,
        ]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        try #require(process.terminationStatus == 0, "swift run failed:\n\(text.suffix(4000))")

        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.contains(["merge-check", "true", "true", "true"]), "\(text.suffix(2000))")

        // mean ± 2σ, clamped to [min, max], from numpy (float64, ddof = 0).
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: root.appendingPathComponent("Calibration/reference_stats.json")))
        let stats = try #require(reference.files["activations.h5"])
        for layer in ["fc1", "fc2", "fc3"] {
            let row = try #require(lines.first { $0.first == layer }, "no line for \(layer) in:\n\(text.suffix(2000))")
            try #require(row.count == 9)
            #expect(row[1] == "mean-std")
            let s = try #require(stats["/\(layer)"])
            let low = try #require(Double(row[4])), high = try #require(Double(row[5]))
            let expectedLow = max(s.min, s.mean - 2 * s.std), expectedHigh = min(s.max, s.mean + 2 * s.std)
            #expect(abs(low - expectedLow) <= 1e-5 * max(1, abs(expectedLow)), "\(layer) low \(low) vs \(expectedLow)")
            #expect(abs(high - expectedHigh) <= 1e-5 * max(1, abs(expectedHigh)), "\(layer) high \(high) vs \(expectedHigh)")
            #expect(["symmetric", "asymmetric"].contains(row[8]))
        }
    }
}
