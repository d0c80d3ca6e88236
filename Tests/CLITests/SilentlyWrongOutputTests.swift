import Foundation
import PTQKit
import Testing

/// Issue 20, "silently wrong output": what the accepted inputs of the bad-input catalogue's
/// `silentlyWrongCases` yield (counts in the manifest, values read through virtual datasets and external
/// links, the fingerprint of a linked file), and `ptq verify` finding every broken package invariant
/// (item 11): each a distinct message naming the package, the dataset or layer and the invariant; exit 65.
@Suite struct SilentlyWrongOutputTests {
    static let fixtures = "Tests/Fixtures/badinput"
    typealias Scratch = CalibrateTests.Scratch

    /// The package calibrated from `weights` (and `activations`) in `scratch`, with its `--json` report.
    static func package(
        _ scratch: Scratch, weights: String, activations: String? = nil
    ) throws -> (String, [String: Any]) {
        let path = "\(scratch.path)/p"
        let result = try CalibrateTests.calibrate(
            ["--json", "--weights", weights, "--output", path] + (activations.map { ["--activations", $0] } ?? []))
        return (path, try PTQProcess.json(result.stdout))
    }

    @Test func nonFiniteFloat64WeightsAreCountedInTheManifestAndWarnedAbout() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, json) = try Self.package(scratch, weights: "\(Self.fixtures)/weights_float64_nonfinite.h5")
        let warnings = (json["warnings"] as? [String]) ?? []
        let warning = "weight /fc/weight has 3 non-finite of 32 elements (NaN 1, +Inf 2, -Inf 0)"
        #expect(warnings.contains { $0.contains(warning) }, "\(warnings)")
        let record = try #require(PackageReader(path: path).manifest.tensors.first { $0.dataset == "/fc/weight" })
        #expect(record.nanCount == 1)
        #expect(record.infCount == 2)
        // A finite weight records no counts (the keys are absent).
        let (clean, _) = try Self.package(try Scratch(), weights: "\(BadInputCatalogueTests.weights)")
        defer { try? FileManager.default.removeItem(atPath: (clean as NSString).deletingLastPathComponent) }
        let text = try String(contentsOfFile: "\(clean)/manifest.json", encoding: .utf8)
        #expect(!text.contains("nan_count\": 0") && !text.contains("\"inf_count\""))
    }

    @Test func virtualDatasetWithItsSourceQuantizesTheSourceValues() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, _) = try Self.package(scratch, weights: "\(Self.fixtures)/weights_vds.h5")
        let source = try File(PTQProcess.repository.appendingPathComponent("\(Self.fixtures)/vds_source.h5").path)
            .openDataset("/w").read(as: Float.self)
        let reader = try PackageReader(path: path)
        let record = try #require(reader.manifest.tensors.first { $0.dataset == "/fc/weight" })
        let restored = try reader.dequantized(record)
        let scales = try reader.parameters(of: record).scales
        // Within half a step of the source's values (per output channel, 8 elements each).
        for (i, (x, y)) in zip(source, restored).enumerated() {
            #expect(abs(x - y) <= scales[i / 8] / 2 * 1.0001, "element \(i): \(x) → \(y)")
        }
    }

    @Test func externalLinkTargetIsReadAndFingerprinted() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, _) = try Self.package(scratch, weights: "\(Self.fixtures)/weights_external.h5")
        let manifest = try PackageReader(path: path).manifest
        #expect(manifest.tensors.map(\.dataset).sorted() == ["/fc/bias", "/fc/weight"])
        let target = "\(Self.fixtures)/external_target.h5"
        let recorded = try #require(manifest.inputs.first { $0.path == target }, "\(manifest.inputs.map(\.path))")
        #expect(recorded.role == .weights)
        let hashed = try InputFile(
            role: .weights, hashing: PTQProcess.repository.appendingPathComponent(target).path, algorithm: .xxh3)
        #expect(recorded.fingerprint == hashed.fingerprint)
        let verify = try PTQProcess.run(["verify", path])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// Item 10: an activation file truncated while `ptq calibrate` reads it. The truncation is timed by
    /// feedback (once the child holds the file open, seen in `/proc/PID/fd`); whether it lands during a
    /// read (libhdf5 reads the missing bytes as zeros: a short read) or after the last one (the size
    /// differs from the start when fingerprinted), the run must fail 74 naming the file and leave no
    /// package. float64 data so every batch goes through `H5Dread` (no file mapping).
    @Test func inputTruncatedWhileBeingReadFails74() throws {
        #if os(Linux)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = "\(scratch.path)/acts.h5"
        let rows = 100_000
        let width = 256
        do {
            let file = try File(path, mode: .create)
            let dataset = try file.createDataset("/fc", type: .float64, shape: [rows, width])
            let block = 10_000
            let values = (0..<(block * width)).map { Double($0 % 997) / 997 - 0.5 }
            for start in stride(from: 0, to: rows, by: block) { try dataset.write(values, startingAt: start) }
        }
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let output = "\(scratch.path)/p"
        let pid = try PTQProcess.start(
            ["calibrate", "--quiet", "--threads", "1", "--activations", path, "--output", output],
            stdout: "\(scratch.path)/out", stderr: "\(scratch.path)/err", environment: ["PTQ_PROBE": "off"])
        var truncated = false
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        for _ in 0..<20_000 where !truncated {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            if descriptors.contains(where: {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == resolved
            }) {
                truncated = truncate(path, off_t(size / 2)) == 0
            } else {
                usleep(500)
            }
        }
        let status = PTQProcess.waitForExit(pid)
        let stderr = try String(contentsOfFile: "\(scratch.path)/err", encoding: .utf8)
        try #require(truncated, "ptq finished before the file could be truncated: \(stderr)")
        #expect(status == 74, "\(stderr)")
        #expect(stderr.contains(path), "\(stderr)")
        #expect(stderr.contains("short read") || stderr.contains("changed size"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #endif
    }

    // MARK: - ptq verify

    /// A change to a package and the problem `ptq verify` must report (`@` is the package path).
    struct Damage: Sendable, CustomTestStringConvertible {
        var name: String
        var problem: String
        var apply: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static func tensors(_ package: String, _ body: (borrowing File) throws -> Void) throws {
        let file = try File("\(package)/tensors.h5", mode: .readWrite)
        try body(file)
    }

    static func editManifest(_ package: String, _ body: (inout Manifest) -> Void) throws {
        var manifest = try PackageReader(path: package).manifest
        body(&manifest)
        try manifest.encoded().write(to: URL(fileURLWithPath: "\(package)/manifest.json"))
    }

    static let damages: [Damage] = [
        Damage(name: "weight scale 3e38", problem: "@: /fc/weight: scale 3e+38 (parameter 0) is too large") { package in
            try tensors(package) { file in
                let scales = try file.openDataset("/fc/weight.scale")
                var values = try scales.read(as: Float.self)
                values[0] = 3e38
                try scales.write(values)
            }
        },
        Damage(
            name: "non-zero zero point on the symmetric int32 bias",
            problem: "@: /fc/bias: symmetric scheme with 1 non-zero zero points"
        ) { package in
            try tensors(package) { file in
                let points = try file.openDataset("/fc/bias.zero_point")
                var values = try points.read(as: Int32.self)
                values[values.count - 1] = 3
                try points.write(values)
            }
        },
        Damage(
            name: "a code edited within the code range (no --against)",
            problem: "@/tensors.h5: XXH3-128"
        ) { package in
            try tensors(package) { file in
                let codes = try file.openDataset("/fc/weight")
                var values = try codes.read(as: Int8.self)
                values[3] = values[3] == 0 ? 1 : 0
                try codes.write(values)
            }
        },
        Damage(
            name: "edited activation scale in the manifest",
            problem: "@: layer fc activation: scale"
        ) { package in
            try editManifest(package) { $0.layers[0].activation?.scale? *= 2 }
        },
        Damage(
            name: "edited qmin attribute",
            problem: "@/tensors.h5:/fc/weight: attribute 'qmin' is integer(-100)"
        ) { package in
            try tensors(package) { file in try file.openDataset("/fc/weight").setAttribute("qmin", .integer(-100)) }
        },
        Damage(
            name: "extra dataset in tensors.h5",
            problem: "@/tensors.h5:/extra: not listed in the manifest"
        ) { package in
            try tensors(package) { file in _ = try file.createDataset("/extra", type: .float32, shape: [2]) }
        },
        Damage(name: "missing summary.md", problem: "@/summary.md: missing") { package in
            try FileManager.default.removeItem(atPath: "\(package)/summary.md")
        },
        Damage(name: "edited summary.md", problem: "@/summary.md: summary does not match the manifest") { package in
            try Data("# edited\n".utf8).write(to: URL(fileURLWithPath: "\(package)/summary.md"))
        },
    ]

    @Test func verifyPassesAnIntactPackage() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, _) = try Self.package(
            scratch, weights: BadInputCatalogueTests.weights, activations: BadInputCatalogueTests.activations)
        let verify = try PTQProcess.run(["verify", "--json", path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let digest = try PackageReader(path: path).manifest.tensorsDigest
        #expect(digest?.algorithm == .xxh3 && digest?.hex.count == 32, "\(String(describing: digest))")
    }

    @Test(arguments: damages)
    func verifyFindsABrokenInvariant(_ damage: Damage) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, _) = try Self.package(
            scratch, weights: BadInputCatalogueTests.weights, activations: BadInputCatalogueTests.activations)
        try damage.apply(path)
        let verify = try PTQProcess.run(["verify", "--json", path])
        #expect(verify.status == 65, "\(verify.stdout)\(verify.stderr)")
        let problems = (try PTQProcess.json(verify.stdout)["problems"] as? [String]) ?? []
        let expected = damage.problem.replacingOccurrences(of: "@", with: path)
        #expect(problems.contains { $0.hasPrefix(expected) }, "'\(expected)' not among \(problems)")
        #expect(verify.stderr.contains(expected), "\(verify.stderr)")
    }
}
