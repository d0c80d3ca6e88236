import Foundation
import HDF5
import TestSupport
import Testing

/// ``Dataset/directWriter()`` and ``DirectWriter``: bytes written from several threads with `pwrite`
/// land exactly where libhdf5 (and h5py) read the dataset's elements, the file is the same byte for byte
/// as when the same dataset is written through `H5Dwrite`, writes outside the dataset are refused, and the
/// writer is offered only where libhdf5 never writes the bytes itself.
@Suite struct DirectWriterTests {
    static let shape = [1000, 37]

    /// Codes of every element (row-major), covering the whole int8 range.
    static let codes: [Int8] = (0..<shape.reduce(1, *)).map { Int8(truncatingIfNeeded: $0 &* 7919 >> 3) }

    /// A file `name` in `directory` with `/before` (deflated floats), `/codes` (int8, allocated early)
    /// and `/after`, the codes written by `write`.
    static func makeFile(
        _ directory: URL, _ name: String, write: (borrowing Dataset) throws -> Void
    ) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let file = try File(path, mode: .truncate)
        let before = try file.createDataset(
            "/before", type: .float32, shape: [64], options: DatasetOptions(deflateLevel: 4))
        try before.write((0..<64).map { Float($0) })
        let dataset = try file.createDataset("/codes", type: .int8, shape: shape, options: .allocatedEarly)
        try write(dataset)
        let after = try file.createDataset("/after", type: .int32, shape: [3])
        try after.write([Int32(1), 2, 3])
        try dataset.setAttribute("note", .string("written"))
        try file.flush()
        return path
    }

    /// Writes the codes through `writer` from two threads, block by block (blocks of `blockBytes`, taken
    /// alternately, the later ones first).
    static func writeConcurrently(_ writer: DirectWriter, blockBytes: Int = 4096) throws {
        let blocks = (codes.count + blockBytes - 1) / blockBytes
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for block in stride(from: blocks - 1 - worker, through: 0, by: -2) {
                let range = (block * blockBytes)..<min((block + 1) * blockBytes, codes.count)
                do {
                    try codes[range].withUnsafeBytes { try writer.write($0, at: range.lowerBound) }
                } catch {
                    failures.add(error)
                }
            }
        }
        #expect(failures.errors.isEmpty)
    }

    @Test func concurrentDirectWritesReadBackAsTheElementsAndMatchH5Dwrite() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "direct-writer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let direct = try Self.makeFile(directory, "direct.h5") { dataset in
            let writer = try #require(try dataset.directWriter())
            #expect(writer.byteCount == Self.codes.count)
            try Self.writeConcurrently(writer)
        }
        let written = try Self.makeFile(directory, "h5dwrite.h5") { dataset in try dataset.write(Self.codes) }
        // Read back through libhdf5 (a new open: no sieve buffer from the writing process).
        let file = try File(direct)
        #expect(try file.openDataset("/codes").read(as: Int8.self) == Self.codes)
        #expect(try file.openDataset("/before").read(as: Float.self) == (0..<64).map { Float($0) })
        #expect(try file.openDataset("/after").read(as: Int32.self) == [1, 2, 3])
        // The same file byte for byte as through H5Dwrite (the dataset was created the same way).
        #expect(try Data(contentsOf: URL(fileURLWithPath: direct)) == Data(contentsOf: URL(fileURLWithPath: written)))
        // h5py reads the same elements.
        guard let python = InteropPython.find(importing: ["h5py", "numpy"]) else {
            #expect(!InteropPython.required, "h5py is required (PTQ_REQUIRE_INTEROP=1)")
            return
        }
        let script = "import h5py, sys; print(h5py.File(sys.argv[1], 'r')['/codes'][()].astype('int8').tobytes().hex())"
        let (status, output) = try InteropPython.run(python, ["-c", script, direct])
        #expect(status == 0, "\(output)")
        let expected = Self.codes.map { String(format: "%02x", UInt8(bitPattern: $0)) }.joined()
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    @Test func writesOutsideTheDatasetAreRefusedBeforeAnyByteIsWritten() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "direct-writer-bounds")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.makeFile(directory, "bounds.h5") { dataset in
            let writer = try #require(try dataset.directWriter())
            try Self.codes.withUnsafeBytes { try writer.write($0, at: 0) }
            let bytes: [UInt8] = [0xAA, 0xBB]
            for offset in [-1, writer.byteCount - 1, writer.byteCount, Int.max - 1] {
                let error = #expect(throws: HDF5Error.self) {
                    try bytes.withUnsafeBytes { try writer.write($0, at: offset) }
                }
                guard case .invalidArgument? = error?.kind else {
                    Issue.record("offset \(offset): \(String(describing: error))")
                    continue
                }
                #expect(error?.object == "/codes")
            }
            // Empty writes at the end are inside.
            try [UInt8]().withUnsafeBytes { try writer.write($0, at: writer.byteCount) }
        }
        let file = try File(path)
        #expect(try file.openDataset("/codes").read(as: Int8.self) == Self.codes)
        #expect(try file.openDataset("/after").read(as: Int32.self) == [1, 2, 3])
    }

    @Test func onlyEarlyAllocatedContiguousDatasetsOfWritableFilesAreOffered() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "direct-writer-offer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("offer.h5").path
        do {
            let file = try File(path, mode: .truncate)
            let late = try file.createDataset("/late", type: .int8, shape: [16])
            try late.write([Int8](repeating: 1, count: 16))
            #expect(try late.directWriter() == nil)
            var chunked = DatasetOptions(chunkShape: [8])
            chunked.allocatesEarly = true
            #expect(
                try file.createDataset("/chunked", type: .int8, shape: [16], options: chunked).directWriter() == nil)
            #expect(
                try file.createDataset("/early", type: .int8, shape: [16], options: .allocatedEarly).directWriter()
                    != nil)
            #expect(
                try file.createDataset("/empty", type: .int8, shape: [0], options: .allocatedEarly).directWriter()
                    == nil)
        }
        // Read-only: libhdf5 may not write the file, neither may a direct writer.
        #expect(try File(path).openDataset("/early").directWriter() == nil)
    }
}

/// Errors collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [any Error] = []

    func add(_ error: any Error) {
        lock.lock()
        list.append(error)
        lock.unlock()
    }

    var errors: [any Error] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
