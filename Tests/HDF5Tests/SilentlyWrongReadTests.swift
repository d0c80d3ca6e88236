import Foundation
import TestSupport
import Testing

@testable import HDF5

#if canImport(Glibc)
import Glibc
#endif

/// Reads that libhdf5 completes "successfully" with wrong values unless the wrapper checks (issue 20,
/// items 8, 9, 10 and 12): float64 beyond float32's range, virtual datasets with missing sources, files
/// that shrink while being read, external links.
@Suite struct SilentlyWrongReadTests {
    static let badinput = Fixtures.directory.deletingLastPathComponent().appendingPathComponent("badinput").path

    @Test func float64BeyondFloat32RangeIsRefusedNamingCountAndValue() throws {
        let file = try File("\(Self.badinput)/weights_beyond_float32.h5")
        let dataset = try file.openDataset("/fc/weight")
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
        #expect(error?.kind == .outOfRange)
        #expect(error?.object == "/fc/weight")
        #expect(
            error?.cause.contains("1 of 4 float64 elements are out of float32 range") == true,
            "\(String(describing: error))")
        #expect(error?.cause.contains("3.5e+38 at flat index 0") == true, "\(String(describing: error))")
        // As Float64 the same dataset reads exactly.
        #expect(try dataset.read(as: Double.self) == [3.5e38, 1, -1, 2])
    }

    @Test func realNonFiniteFloat64ValuesStayWhatTheyAre() throws {
        let file = try File("\(Self.badinput)/weights_float64_nonfinite.h5")
        let values = try file.openDataset("/fc/weight").read(as: Float.self)
        #expect(values.filter(\.isNaN).count == 1)
        #expect(values.filter { $0 == .infinity }.count == 2)
    }

    @Test func virtualDatasetWithAMissingSourceIsNotFound() throws {
        let file = try File("\(Self.badinput)/weights_vds_missing.h5")
        let error = #expect(throws: HDF5Error.self) { try file.openDataset("/fc/weight") }
        #expect(error?.kind == .objectNotFound)
        #expect(error?.object == "/fc/weight")
        #expect(
            error?.cause.contains("virtual dataset source 'vds_missing_source.h5:w' is missing") == true,
            "\(String(describing: error))")
    }

    @Test func virtualDatasetWithItsSourceReadsTheSourceValues() throws {
        let source = try File("\(Self.badinput)/vds_source.h5").openDataset("/w").read(as: Float.self)
        let values = try File("\(Self.badinput)/weights_vds.h5").openDataset("/fc/weight").read(as: Float.self)
        #expect(values == source)
        #expect(!values.contains(7))
    }

    @Test func externalLinksAreListedWithTheirTargetsAndFollowed() throws {
        let file = try File("\(Self.badinput)/weights_external.h5")
        let entries = try file.walk()
        #expect(
            entries.contains(
                ObjectEntry(path: "/fc/weight", kind: .externalLink(file: "external_target.h5", object: "/w"))))
        let linked = try file.linkedDatasetFile("/fc/weight")
        #expect(linked.hasSuffix("badinput/external_target.h5"), "\(linked)")
        let target = try File("\(Self.badinput)/external_target.h5").openDataset("/w").read(as: Float.self)
        #expect(try file.openDataset("/fc/weight").read(as: Float.self) == target)
    }

    @Test func danglingExternalLinkNamesTheLinkAndItsTarget() throws {
        let file = try File("\(Self.badinput)/weights_dangling_external.h5")
        let error = #expect(throws: HDF5Error.self) { try file.linkedDatasetFile("/fc2/weight") }
        #expect(error?.kind == .objectNotFound)
        #expect(error?.object == "/fc2/weight")
        #expect(
            error?.cause.contains("external link to 'missing_target.h5:/w' dangles") == true,
            "\(String(describing: error))")
    }

    /// A file truncated after it was opened: libhdf5's sec2 driver reads the missing bytes as zeros.
    @Test func fileShrinkingWhileBeingReadIsAShortRead() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("shrinking.h5").path
        let values = (0..<65536).map { Float($0) + 1 }
        do {
            let file = try File(path, mode: .create)
            try file.createDataset("/x", type: .float32, shape: [256, 256]).write(values)
        }
        let file = try File(path)
        let dataset = try file.openDataset("/x")
        #expect(try dataset.read(rows: 0..<16, as: Float.self) == Array(values[0..<4096]))
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 2)) == 0)
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
        #expect(error?.kind == .library)
        #expect(error?.file == path)
        #expect(
            error?.cause.contains("short read: the file shrank to \(size / 2) bytes") == true,
            "\(String(describing: error))")
    }
}
