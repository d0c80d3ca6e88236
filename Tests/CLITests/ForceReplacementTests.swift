import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--force` replaces only what PTQKit wrote and never an input (issue #20, items 1 and 2), through the
/// real `ptq` in child processes: each case is the reproduction.
@Suite struct ForceReplacementTests {
    static let weights = PTQProcess.repository.appendingPathComponent("Calibration/weights.h5").path
    static let activations = PTQProcess.repository.appendingPathComponent("Calibration/activations.h5").path

    /// A scratch directory with copies of the bundled weights and activations.
    struct Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-force-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
        func entries(_ relative: String = "") throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: relative.isEmpty ? path : "\(path)/\(relative)")
                .sorted()
        }
        /// Copies `source` to `relative` and returns the new path.
        @discardableResult
        func copy(_ source: String, to relative: String) throws -> String {
            let target = "\(path)/\(relative)"
            try FileManager.default.copyItem(atPath: source, toPath: target)
            return target
        }
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Requires exit 73 and a message saying why `--force` did not replace `path`.
    static func refused(_ result: PTQProcess.Result, _ path: String, because reason: String) {
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("\(path): output exists and --force will not replace it"), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(!result.stderr.contains("use --force"), "\(result.stderr)")
    }

    @Test func calibrateForceRefusesADirectoryThatIsNotAPackage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let ext = "\(scratch.path)/ext"
        try FileManager.default.createDirectory(atPath: "\(ext)/icons", withIntermediateDirectories: true)
        try Data("{\"manifest_version\":3}".utf8).write(to: URL(fileURLWithPath: "\(ext)/manifest.json"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(ext)/bg.js"))
        let result = try PTQProcess.run(["calibrate", "--quiet", "--weights", Self.weights, "--output", ext, "--force"])
        Self.refused(result, ext, because: "it holds bg.js, icons, which PTQKit did not write")
        #expect(try scratch.entries("ext") == ["bg.js", "icons", "manifest.json"])
        #expect(try Self.bytes("\(ext)/bg.js") == Data("x".utf8))
        #expect(try scratch.entries() == ["ext"])
    }

    @Test func calibrateForceRefusesAPackageHoldingItsInputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let pkg = "\(scratch.path)/pkg"
        let first = try PTQProcess.run(["calibrate", "--quiet", "--weights", Self.weights, "--output", pkg])
        try #require(first.status == 0, "\(first.stderr)")
        let weights = try scratch.copy(Self.weights, to: "pkg/weights.h5")
        let activations = try scratch.copy(Self.activations, to: "pkg/acts.h5")
        let result = try PTQProcess.run([
            "calibrate", "--quiet", "--weights", weights, "--activations", activations, "--output", pkg, "--force",
        ])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("--force will not replace it"), "\(result.stderr)")
        #expect(
            try scratch.entries("pkg") == [
                "acts.h5", "manifest.json", "skeleton.h5", "summary.md", "tensors.h5", "weights.h5",
            ])
        #expect(try Self.bytes(weights) == Self.bytes(Self.weights))
        #expect(try Self.bytes(activations) == Self.bytes(Self.activations))
        // A package that is only ours is still replaced with --force.
        for name in ["weights.h5", "acts.h5"] { try FileManager.default.removeItem(atPath: "\(pkg)/\(name)") }
        let again = try PTQProcess.run(["calibrate", "--quiet", "--weights", Self.weights, "--output", pkg, "--force"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try scratch.entries() == ["pkg"])
    }

    @Test func dequantizeForceReplacesOnlyItsOwnOutput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let pkg = "\(scratch.path)/pkg"
        try #require(
            try PTQProcess.run(["calibrate", "--quiet", "--weights", Self.weights, "--output", pkg]).status == 0)
        let tensors = try Self.bytes("\(pkg)/tensors.h5")
        // Onto the package's own tensors file, onto the user's weights, onto a directory: refused.
        let own = try PTQProcess.run(["dequantize", pkg, "-o", "\(pkg)/tensors.h5", "--force"])
        Self.refused(own, "\(pkg)/tensors.h5", because: "it is an input of this run")
        #expect(try Self.bytes("\(pkg)/tensors.h5") == tensors)
        let original = try scratch.copy(Self.weights, to: "model.h5")
        let foreign = try PTQProcess.run(["dequantize", pkg, "-o", original, "--force"])
        Self.refused(foreign, original, because: "is not a file written by ptq dequantize")
        #expect(try Self.bytes(original) == Self.bytes(Self.weights))
        // Its own earlier output is replaced.
        let restored = "\(scratch.path)/restored.h5"
        #expect(try PTQProcess.run(["dequantize", pkg, "-o", restored]).status == 0)
        let again = try PTQProcess.run(["dequantize", pkg, "-o", restored, "--force"])
        #expect(again.status == 0, "\(again.stderr)")
        // Without --force an existing file is never replaced.
        let plain = try PTQProcess.run(["dequantize", pkg, "-o", original])
        #expect(plain.status == 73, "\(plain.stderr)")
        #expect(plain.stderr.contains("use --force"), "\(plain.stderr)")
        #expect(try scratch.entries() == ["model.h5", "pkg", "restored.h5"])
    }

    /// Two `ptq dequantize` runs to one path: exactly one writes it, the other exits 73 (the second
    /// commit no longer renames over the first's file).
    @Test func concurrentDequantizeRunsToOnePathWriteItOnce() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let pkg = "\(scratch.path)/pkg"
        try #require(
            try PTQProcess.run(["calibrate", "--quiet", "--weights", Self.weights, "--output", pkg]).status == 0)
        let output = "\(scratch.path)/d.h5"
        let pids = try (0..<2).map { index in
            try PTQProcess.start(
                ["dequantize", pkg, "-o", output],
                stdout: "\(scratch.path)/out\(index)", stderr: "\(scratch.path)/err\(index)")
        }
        let statuses = pids.map { PTQProcess.waitForExit($0) }.sorted()
        #expect(statuses == [0, 73])
        #expect(try scratch.entries().filter { $0.hasPrefix(".") } == [])
    }

    @Test func observeAndMergeForceNeverReplaceTheirInputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let acts = try scratch.copy(Self.activations, to: "acts.h5")
        let observe = try PTQProcess.run(["observe", "--quiet", "--activations", acts, "-o", acts, "--force"])
        Self.refused(observe, acts, because: "it is an input of this run")
        #expect(try Self.bytes(acts) == Self.bytes(Self.activations))
        let other = try scratch.copy(Self.weights, to: "other.h5")
        let foreign = try PTQProcess.run(["observe", "--quiet", "--activations", acts, "-o", other, "--force"])
        Self.refused(foreign, other, because: "is not a PTQKit statistics file")
        let stats = "\(scratch.path)/s.ptqstats"
        #expect(try PTQProcess.run(["observe", "--quiet", "--activations", acts, "-o", stats]).status == 0)
        let statsBytes = try Self.bytes(stats)
        let merge = try PTQProcess.run(["merge", stats, "-o", stats, "--force"])
        Self.refused(merge, stats, because: "it is an input of this run")
        #expect(try Self.bytes(stats) == statsBytes)
        // A statistics file that is no input is replaced.
        let merged = "\(scratch.path)/m.ptqstats"
        #expect(try PTQProcess.run(["merge", stats, "-o", merged]).status == 0)
        #expect(try PTQProcess.run(["merge", stats, "-o", merged, "--force"]).status == 0)
        #expect(try scratch.entries() == ["acts.h5", "m.ptqstats", "other.h5", "s.ptqstats"])
    }
}
