import Foundation
import PTQKit
import TestSupport
import Testing

/// Format versions of `manifest.json`: version 2 (issue 18: PTQKit's keys all snake_case, the `auto`
/// scheme decision's measured errors recorded, manifest and `--json` alike), version 3 (issue 17: the
/// package's own files hashed with the run's fingerprint algorithm, under its key), and version-1 packages
/// still read.
@Suite struct ManifestFormatVersionTests {
    /// A package written by PTQKit before version 2 (the W8A8 demo package of the bundled network).
    static let versionOnePackage = TestPaths.fixture("package-v1/w8a8").path
    static let weights = TestPaths.inRepository("Calibration/weights.h5").path
    static let activations = TestPaths.inRepository("Calibration/activations.h5").path

    /// Every key of the manifest PTQKit defines (not the echoed `config`, not observer options), as JSON
    /// pointers, with the ones that are not snake_case.
    static func nonSnakeCaseKeys(_ value: Any, at pointer: String = "") -> [String] {
        if let array = value as? [Any] {
            return array.enumerated().flatMap { nonSnakeCaseKeys($1, at: "\(pointer)/\($0)") }
        }
        guard let object = value as? [String: Any] else { return [] }
        return object.flatMap { key, member -> [String] in
            let here = "\(pointer)/\(key)"
            let own = key.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil ? [here] : []
            if here == "/config" || key == "observer_options" || key == "options" { return own }
            return own + nonSnakeCaseKeys(member, at: here)
        }
    }

    static func manifestObject(_ package: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(package)/manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func versionOnePackageIsReadVerifiedAndDequantized() throws {
        let package = try PackageReader(path: Self.versionOnePackage)
        #expect(package.manifest.formatVersion == 1)
        // Versions 1 and 2 recorded SHA-256 under `tensors_sha256`; it is read as such and verified below.
        #expect(package.manifest.tensorsDigest?.algorithm == .sha256)
        #expect(package.manifest.layers.map(\.name) == ["fc1", "fc2", "fc3"])
        // Its camelCase policy keys are what version 2 renamed (and what the key check below finds).
        let keys = Self.nonSnakeCaseKeys(try Self.manifestObject(Self.versionOnePackage))
        #expect(keys.contains("/layers/0/policy/appliedOverrides"), "\(keys)")
        #expect(keys.contains("/layers/0/policy/weights/autoMargin"), "\(keys)")
        for record in package.manifest.tensors {
            #expect(try package.dequantized(record).count == record.elementCount, "\(record.dataset)")
        }
        let report = try PackageVerifier.verify(path: Self.versionOnePackage, against: Self.weights)
        #expect(report.passed, "\(report.problems)")
    }

    @Test func writtenManifestIsSnakeCaseAndRecordsTheSchemeErrors() throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-manifest-v2")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("auto.yaml").path
        try Data(
            """
            weights: {observer: minmax, scheme: auto, auto-margin: 0.2, group-size: 16}
            activations: {observer: mse, scheme: auto}
            overrides: [{match: "fc3", weights: {bits: 4}}]
            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let output = scratch.appendingPathComponent("pkg").path
        let job = CalibrationJob(
            inputs: CalibrationJob.Inputs(weights: Self.weights, activations: [Self.activations], config: config),
            output: output)
        let result = try job.run()

        #expect(result.manifest.formatVersion == 3)
        let manifest = try Self.manifestObject(output)
        #expect(Self.nonSnakeCaseKeys(manifest) == [])
        // The echoed configuration keeps the configuration's own keys.
        let echoed = try #require((manifest["config"] as? [String: Any])?["weights"] as? [String: Any])
        #expect(echoed["auto-margin"] as? Double == 0.2)
        #expect(echoed["group-size"] as? Int == 16)
        let fc3 = try #require(result.manifest.layers.first { $0.name == "fc3" }?.policy)
        #expect(fc3["applied_overrides"] != nil && fc3["weights"]?["auto_margin"] == .double(0.2), "\(fc3)")

        let json = result.json
        for (index, layer) in result.manifest.layers.enumerated() {
            let activation = try #require(layer.activation)
            let symmetric = try #require(activation.symmetricError)
            let asymmetric = try #require(activation.asymmetricError)
            // After ReLU every input is ≥ 0: asymmetric halves the step at least.
            #expect(activation.scheme == "asymmetric" && asymmetric < symmetric, "\(layer.name)")
            let printed = json["layers"]?[index]?["activation"]
            #expect(printed?["symmetric_error"] == .double(symmetric))
            #expect(printed?["asymmetric_error"] == .double(asymmetric))
            for (t, tensor) in layer.tensors.enumerated() where tensor.role == "weight" {
                let q = try #require(tensor.quantization)
                let errors = try #require(q.symmetricError.flatMap { s in q.asymmetricError.map { (s, $0) } })
                // The stored tensor's MSE is the chosen candidate's.
                let chosen = q.scheme == "symmetric" ? errors.0 : errors.1
                #expect(tensor.metrics?.mse == chosen, "\(tensor.dataset)")
                #expect(json["layers"]?[index]?["tensors"]?[t]?["symmetric_error"] == .double(errors.0))
            }
        }
    }
}

/// Version 3's digests of the package's own files: one algorithm's key per file.
@Suite struct ManifestDigestKeyTests {
    /// The version-1 fixture's manifest with its `tensors_sha256` and, added, `extra` members.
    static func versionOneManifest(adding extra: [String: Any]) throws -> Data {
        var object = try ManifestFormatVersionTests.manifestObject(ManifestFormatVersionTests.versionOnePackage)
        object.merge(extra) { $1 }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func aFileWithTwoDigestsIsRefused() throws {
        let data = try Self.versionOneManifest(adding: ["tensors_xxh3_128": String(repeating: "0", count: 32)])
        #expect {
            _ = try Manifest.decode(data, path: "m.json")
        } throws: { error in
            "\(error)".contains("more than one digest of tensors.h5")
        }
    }

    @Test(arguments: [Fingerprint.Algorithm.xxh3, .sha256])
    func digestsRoundTripUnderTheirAlgorithmsKeys(algorithm: Fingerprint.Algorithm) throws {
        var manifest = try Manifest.decode(try Self.versionOneManifest(adding: [:]), path: "m.json")
        let hex = String(repeating: "a", count: algorithm.hexLength)
        manifest.tensorsDigest = Fingerprint(algorithm: algorithm, hex: hex)
        manifest.skeletonFile = "skeleton.h5"
        manifest.skeletonDigest = Fingerprint(
            algorithm: algorithm, hex: String(repeating: "b", count: algorithm.hexLength))
        let encoded = try manifest.encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(object[Manifest.digestKey(.tensors, algorithm)] as? String == hex)
        for file in ["tensors", "skeleton"] {
            let keys = Set(object.keys.filter { $0.hasPrefix("\(file)_") })
            #expect(keys == ["\(file)_file", "\(file)_\(algorithm.rawValue)"], "\(keys)")
        }
        #expect(try Manifest.decode(encoded, path: "m.json") == manifest)
        let problems = ManifestSchema.violations(ofJSON: encoded)
        #expect(problems.isEmpty, "\(problems)")
    }
}

extension JSONValue {
    /// The member `key` of an object.
    fileprivate subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element `index` of an array.
    fileprivate subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}
