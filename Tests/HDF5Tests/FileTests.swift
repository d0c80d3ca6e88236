import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct FileTests {
    @Test func opensTheFixtureReadOnly() throws {
        let file = try File(Fixtures.file)
        #expect(file.objectPath == "/")
        #expect(try file.contains("/nested/a/b/c/values"))
    }

    @Test func missingFileIsFileNotFound() throws {
        let error = #expect(throws: HDF5Error.self) { _ = try File("/nonexistent/ptqkit/missing.h5") }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.file == "/nonexistent/ptqkit/missing.h5")
    }

    @Test(arguments: [("empty.h5", Data()), ("text.h5", Data("this is not an HDF5 file\n".utf8))])
    func nonHDF5FileIsNotHDF5(name: String, contents: Data) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try contents.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: HDF5Error.self) { _ = try File(path) }
        #expect(error?.kind == .notHDF5)
        #expect(error?.description.contains(name) == true)
    }

    @Test func truncatedFileIsCorrupt() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("truncated.h5").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.file))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: HDF5Error.self) { _ = try File(path) }
        #expect(error?.kind == .corruptFile)
        #expect(error?.stack.isEmpty == false)
    }

    /// h5py's `libver='latest'` layout messages are newer than libhdf5 1.10 decodes: a clear error, not
    /// "object not found".
    @Test func newerFormatDatasetIsUnsupportedFormat() throws {
        let file = try File(Fixtures.directory.appendingPathComponent("newer_format.h5").path)
        #expect(try file.walk() == [ObjectEntry(path: "/compressed", kind: .dataset)])
        let error = #expect(throws: HDF5Error.self) { _ = try file.openDataset("compressed") }
        #expect(error?.kind == .unsupportedFormat)
        #expect(error?.cause.contains("libver") == true)
    }

    @Test func createFailsWhenTheFileExistsAndTruncateReplacesIt() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("new.h5").path
        do {
            let file = try File(path, mode: .create)
            _ = try file.createGroup("kept")
        }
        #expect(throws: HDF5Error.self) { _ = try File(path, mode: .create) }
        #expect(try File(path).contains("kept"))
        do {
            let file = try File(path, mode: .readWrite)
            _ = try file.createGroup("added")
        }
        #expect(try File(path).contains("added"))
        _ = try File(path, mode: .truncate)
        #expect(try !File(path).contains("kept"))
    }

    #if os(Linux)
    /// Open files are close-on-exec, so a child process cannot inherit (and keep) their `flock` locks.
    @Test func fileDescriptorsAreCloseOnExec() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cloexec.h5").path
        let created = try File(path, mode: .create)
        let opened = try File(Fixtures.file)
        let manager = FileManager.default
        var checked = 0
        for name in try manager.contentsOfDirectory(atPath: "/proc/self/fd") {
            guard let target = try? manager.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"),
                target == path
                    || URL(fileURLWithPath: target).standardized.path
                        == URL(fileURLWithPath: Fixtures.file).standardized.path
            else { continue }
            let info = try String(contentsOfFile: "/proc/self/fdinfo/\(name)", encoding: .utf8)
            let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") }
            let octal = try #require(flags?.split(separator: "\t").last.flatMap { Int($0, radix: 8) })
            #expect(octal & 0o2_000_000 != 0, "descriptor \(name) for \(target) lacks O_CLOEXEC")
            checked += 1
        }
        #expect(checked >= 2)
        _ = created.objectPath
        _ = opened.objectPath
    }
    #endif

    @Test func libraryIsThreadSafe() {
        #expect(HDF5Library.isThreadSafe)
        #expect(HDF5Library.version.split(separator: ".").count == 3)
    }
}
