import Foundation
import HDF5
import Testing

@testable import PackageFormat
@testable import PackageWriter

struct PackageVerifierTests {
    @Test func intactPackagePassesWithAndWithoutWeights() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let plain = try PackageVerifier.verify(path: path)
        #expect(plain.passed, "\(plain.problems)")
        #expect(plain.tensorsChecked == 9)
        let against = try PackageVerifier.verify(path: path, against: "\(fixture.directory)/weights.h5")
        #expect(against.passed, "\(against.problems)")
        #expect(against.checks > plain.checks)
    }

    @Test func codesOutsideTheirRangeAreFound() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        do {
            // int8 narrow codes are -127...127: -128 is outside.
            let file = try File("\(path)/tensors.h5", mode: .readWrite)
            try file.openDataset("/fc1/weight").write([Int8](repeating: -128, count: 24), startingAt: 3)
        }
        let report = try PackageVerifier.verify(path: path)
        #expect(
            report.problems.contains { $0.contains("/fc1/weight: 24 codes outside -127...127") }, "\(report.problems)")
    }

    @Test func changedWeightsAndMetricsAreFound() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let weights = "\(fixture.directory)/weights.h5"
        do {
            let file = try File(weights, mode: .readWrite)
            try file.openDataset("/fc3/weight").write([Float](repeating: 0.5, count: 15), startingAt: 1)
        }
        let report = try PackageVerifier.verify(path: path, against: weights)
        #expect(report.problems.contains { $0.contains("SHA-256") })
        #expect(report.problems.contains { $0.contains("/fc3/weight: recomputed metrics") }, "\(report.problems)")
        #expect(!report.problems.contains { $0.contains("/fc1/weight") })
    }

    @Test func schemaViolationsAreReported() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let manifestPath = "\(path)/manifest.json"
        var text = try String(contentsOfFile: manifestPath, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\"granularity\" : \"per-group\"", with: "\"granularity\" : \"per-group\", \"extra\" : 1")
        try Data(text.utf8).write(to: URL(fileURLWithPath: manifestPath))
        let report = try PackageVerifier.verify(path: path)
        #expect(report.problems.contains { $0.contains("schema") && $0.contains("extra") }, "\(report.problems)")
    }

    @Test func dequantizeWritesFloat32UnderOriginalNames() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let output = "\(fixture.directory)/restored.h5"
        #expect(try PackageRestorer.restore(package: path, to: output, force: false) == 9)
        #expect(throws: PackageError.self) { try PackageRestorer.restore(package: path, to: output, force: false) }
        try PackageRestorer.restore(package: path, to: output, force: true)
        let package = try PackageReader(path: path)
        let restored = try File(output)
        for record in package.manifest.tensors {
            let dataset = try restored.openDataset(record.dataset)
            #expect(dataset.elementType.numeric == .float32)
            #expect(dataset.shape == record.originalShape)
            #expect(try dataset.read(as: Float.self) == (try package.dequantized(record)))
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted() == [
                "pkg", "restored.h5", "weights.h5",
            ])
    }
}
