import Foundation
import HDF5
import TestSupport
import Testing

/// ``Dataset/storageLiesInFile(fileBytes:)``: what lets the crash probe skip streaming a dataset. It must
/// vouch only for datasets read straight from checked bytes, never for a filtered, converted, sparse or
/// damaged one (the committed crasher included).
@Suite struct StorageCheckTests {
    /// A scratch file with one dataset `/x` of `rows` × 8 float32 written (all rows unless `written`).
    static func file(
        type: NumericType = .float32, rows: Int = 64, options: DatasetOptions, written: Int? = nil
    ) throws -> (URL, String) {
        let directory = try TestPaths.temporaryDirectory(prefix: "storage-check")
        let path = directory.appendingPathComponent("x.h5").path
        let file = try File(path, mode: .truncate)
        let dataset = try file.createDataset("/x", type: type, shape: [rows, 8], options: options)
        let count = (written ?? rows) * 8
        if count > 0 { try dataset.write((0..<count).map { Float($0) }) }
        try file.flush()
        return (directory, path)
    }

    static func check(_ path: String, fileBytes: Int? = nil) throws -> Bool {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        return try File(path).openDataset("/x").storageLiesInFile(fileBytes: fileBytes ?? size)
    }

    @Test func wholeRowChunksAndContiguousDataAreVouchedFor() throws {
        for options in [DatasetOptions(chunkShape: [16, 8]), DatasetOptions(chunkShape: [5, 8]), DatasetOptions()] {
            let (directory, path) = try Self.file(options: options)
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(try Self.check(path), "\(options)")
        }
    }

    /// A file whose index places bytes past its end (as after a truncation) is not vouched for: its 2 KiB
    /// of data cannot all lie in the first 1 KiB.
    @Test func bytesPastTheEndAreRefused() throws {
        for options in [DatasetOptions(chunkShape: [16, 8]), DatasetOptions()] {
            let (directory, path) = try Self.file(options: options)
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(try Self.check(path), "\(options)")
            #expect(try !Self.check(path, fileBytes: 1024), "\(options)")
        }
    }

    @Test func filteredConvertedSparseAndPartialRowChunksAreRead() throws {
        let cases: [(String, NumericType, DatasetOptions, Int?)] = [
            ("deflate", .float32, DatasetOptions(chunkShape: [16, 8], deflateLevel: 4), nil),
            ("float64", .float64, DatasetOptions(chunkShape: [16, 8]), nil),
            ("chunks narrower than a row", .float32, DatasetOptions(chunkShape: [16, 4]), nil),
            ("unwritten chunks", .float32, DatasetOptions(chunkShape: [16, 8]), 16),
        ]
        for (name, type, options, written) in cases {
            let (directory, path) = try Self.file(type: type, options: options, written: written)
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(try !Self.check(path), "\(name)")
        }
    }

    /// The committed crasher (a chunk wider than the dataset's fixed extent) is streamed by the probe.
    @Test func theCommittedCrasherIsNotVouchedFor() throws {
        let path = TestPaths.fixture("hdf5-crashers/chunk-wider-than-dataset-segv.h5").path
        #expect(try !Self.check(path))
    }
}
