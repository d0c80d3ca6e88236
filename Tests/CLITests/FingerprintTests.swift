import Foundation
import PTQKit
import Testing

/// `--fingerprint xxh3|sha256|none` on `ptq calibrate` and `ptq observe` (the inputs' digests and the
/// package's own), and `ptq verify` checking whichever digest was recorded.
@Suite struct FingerprintTests {
    typealias Scratch = CalibrateTests.Scratch

    /// The digest key of one input record in a manifest or statistics file (`nil`: none).
    static func digestKeys(_ inputs: [InputFile]) -> [String?] {
        inputs.map { $0.fingerprint?.algorithm.rawValue }
    }

    /// XORs the last byte of the file at `path` with `mask` (the size stays the same).
    static func flipLastByte(of path: String, with mask: UInt8) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 1)
        let last = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: size - 1)
        try handle.write(contentsOf: Data([last ^ mask]))
    }

    /// Calibrates a copy of the bundled weights with `mode`, checks the recorded digests against the
    /// files (the package's `tensors.h5` and skeleton too, with `sha256sum` for SHA-256), then changes one
    /// byte of the copy (same size) and runs `ptq verify`, and one byte of `tensors.h5`.
    @Test(arguments: ["xxh3", "sha256", "none"])
    func calibrateRecordsAndVerifyChecks(mode: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let weights = "\(scratch.path)/weights.h5"
        try FileManager.default.copyItem(
            atPath: PTQProcess.repository.appendingPathComponent(CalibrateTests.weights).path, toPath: weights)
        let package = "\(scratch.path)/pkg"
        let arguments = ["--weights", weights, "--activations", CalibrateTests.activations, "--output", package]
        try CalibrateTests.calibrate(arguments + (mode == "xxh3" ? [] : ["--fingerprint", mode]))
        let manifest = try CalibrateTests.manifest(package)
        let algorithm: Fingerprint.Algorithm? = mode == "xxh3" ? .xxh3 : mode == "sha256" ? .sha256 : nil
        #expect(Self.digestKeys(manifest.inputs) == [algorithm?.rawValue, algorithm?.rawValue])
        for input in manifest.inputs {
            let path = PTQProcess.repository.appendingPathComponent(input.path).path
            let expected = try InputFile(
                role: input.role, hashing: input.path.hasPrefix("/") ? input.path : path,
                algorithm: algorithm)
            #expect(input.fingerprint == expected.fingerprint && input.size == expected.size, "\(input.path)")
        }
        let text = try String(contentsOfFile: "\(package)/manifest.json", encoding: .utf8)
        #expect(text.contains("\"xxh3_128\"") == (algorithm == .xxh3))
        #expect(text.contains("\"sha256\" : \"") == (algorithm == .sha256))

        // The package's own files: hashed with the same algorithm (XXH3-128 under `none`), under its key.
        let own = algorithm ?? .xxh3
        for (file, digest) in [("tensors", manifest.tensorsDigest), ("skeleton", manifest.skeletonDigest)] {
            let path = "\(package)/\(file).h5"
            #expect(digest == (try Fingerprint.of(fileAt: path, algorithm: own).0), "\(file)")
            #expect(text.contains("\"\(file)_\(own.rawValue)\" : \"\(digest?.hex ?? "-")\""), "\(file)")
            if own == .sha256 {
                // As `sha256sum` prints it.
                let printed = try PTQProcess.run(program: "/usr/bin/sha256sum", [path])
                #expect(printed.stdout.hasPrefix("\(digest?.hex ?? "-")  "), "\(printed.stdout)\(printed.stderr)")
            }
        }

        let intact = try PTQProcess.run(["verify", package])
        #expect(intact.status == 0, "\(intact.stdout)\(intact.stderr)")
        #expect(intact.stderr.contains("recorded without a fingerprint") == (algorithm == nil), "\(intact.stderr)")

        // One byte of the copy changed, same size: found unless nothing was recorded.
        try Self.flipLastByte(of: weights, with: 0x5a)
        let changed = try PTQProcess.run(["verify", package])
        if let algorithm {
            #expect(changed.status == 65, "\(changed.stdout)\(changed.stderr)")
            #expect(
                (changed.stdout + changed.stderr).contains("\(weights): \(algorithm.displayName) or size differs"),
                "\(changed.stdout)\(changed.stderr)")
        } else {
            #expect(changed.status == 0, "\(changed.stdout)\(changed.stderr)")
        }

        // One byte of tensors.h5 changed: its digest no longer matches, whichever algorithm it was.
        try Self.flipLastByte(of: "\(package)/tensors.h5", with: 0x01)
        let edited = try PTQProcess.run(["verify", package])
        #expect(edited.status == 65, "\(edited.stdout)\(edited.stderr)")
        let report = edited.stdout + edited.stderr
        #expect(report.contains("tensors.h5: \(own.displayName) "), "\(report)")
        #expect(report.contains("differs from the manifest's tensors_\(own.rawValue)"), "\(report)")
    }

    /// `ptq observe --fingerprint sha256` records SHA-256 in the statistics file, and a package calibrated
    /// from it keeps those records (its own config file hashed with the job's default, XXH3-128).
    @Test func observeRecordsTheChosenDigest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let stats = "\(scratch.path)/s.ptqstats"
        let observe = try PTQProcess.run(
            [
                "observe", "--quiet", "--activations", CalibrateTests.activations, "--config", "Configs/int8.yaml",
                "--fingerprint", "sha256", "-o", stats,
            ])
        try #require(observe.status == 0, "\(observe.stderr)")
        let file = try StatisticsFile.read(stats)
        #expect(Self.digestKeys(file.body.inputs) == ["sha256"])
        #expect(file.body.configFile?.fingerprint?.algorithm == .sha256)
        let package = "\(scratch.path)/pkg"
        try CalibrateTests.calibrate(["--weights", CalibrateTests.weights, "--stats", stats, "--output", package])
        let manifest = try CalibrateTests.manifest(package)
        #expect(manifest.inputs.map(\.role) == [.weights, .activations, .config])
        #expect(Self.digestKeys(manifest.inputs) == ["xxh3_128", "sha256", "sha256"])
        let verify = try PTQProcess.run(["verify", package, "--against", CalibrateTests.weights])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func unknownModeIsAUsageError() throws {
        let result = try PTQProcess.run(
            ["calibrate", "--weights", CalibrateTests.weights, "--output", "/tmp/x", "--fingerprint", "md5"])
        #expect(result.status == 64, "\(result.stderr)")
    }
}
