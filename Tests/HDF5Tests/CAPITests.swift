import Foundation
import TestSupport
import Testing

@testable import HDF5

/// HDF5's error printing is per thread in a thread-safe build: every thread that calls through the
/// wrapper must have it switched off, and errors must come back typed on any thread.
@Suite struct CAPITests {
    @Test func printingIsSilencedOnEveryThreadThatCalls() async throws {
        let outcomes = await withTaskGroup(of: (Bool, HDF5Error.Kind?).self) { group in
            for index in 0..<4 {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        // A fresh OS thread, never used by HDF5 before.
                        let thread = Thread {
                            var kind: HDF5Error.Kind?
                            do {
                                _ = try File(Fixtures.file).openDataset("/missing/\(index)")
                            } catch let error as HDF5Error {
                                kind = error.kind
                            } catch {}
                            continuation.resume(returning: (CAPI.isPrintingSilenced(), kind))
                        }
                        thread.start()
                    }
                }
            }
            var results: [(Bool, HDF5Error.Kind?)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(outcomes.count == 4)
        for (silenced, kind) in outcomes {
            #expect(silenced)
            #expect(kind == .objectNotFound)
        }
    }

    /// libhdf5 keeps freed blocks on free lists, unlimited by default: writing 400 small chunked datasets
    /// with attributes leaves about 4 MiB there. The limits set before the first call keep it under 2 MiB
    /// (plus the factory lists, here a few KiB).
    @Test func freeListsStayWithinTheirLimits() throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-free-lists")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            let file = try File(scratch.appendingPathComponent("many.h5").path, mode: .truncate)
            for index in 0..<400 {
                let dataset = try file.createDataset(
                    "/g\(index % 7)/d\(index)", type: .float32, shape: [4096],
                    options: DatasetOptions(chunkShape: [64]))
                try dataset.write((0..<4096).map { Float($0 % 251) })
                for name in 0..<12 { try dataset.setAttribute("a\(name)", .integer(Int64(name))) }
            }
        }
        #expect(HDF5Library.freeListBytes <= 2 << 20, "\(HDF5Library.freeListBytes) bytes")
    }

    @Test func errorStackIsKeptAndCleared() throws {
        let error = #expect(throws: HDF5Error.self) {
            _ = try File(Fixtures.file).openDataset("/unsupported/strings").read(as: Float.self)
        }
        #expect(error?.operation == "read")
        // A libhdf5-detected failure carries HDF5's stack; the next call starts from a clean stack.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.h5").path
        _ = try File(path, mode: .create)
        let exists = #expect(throws: HDF5Error.self) { _ = try File(path, mode: .create) }
        #expect(exists?.operation == "H5Fcreate")
        #expect(exists?.stack.isEmpty == false)
        #expect(exists?.stack.first?.hasPrefix("H5Fcreate") == true)
        #expect(exists?.description.contains(path) == true)
    }
}
