import Foundation
import HDF5
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

    @Test func libraryIsThreadSafe() {
        #expect(HDF5Library.isThreadSafe)
        #expect(HDF5Library.version.split(separator: ".").count == 3)
    }
}
