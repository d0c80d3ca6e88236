import Foundation
import Testing

@testable import PackageFormat
@testable import PackageWriter

struct AtomicDirectoryWriterTests {
    let manager = FileManager.default

    /// Entries of `directory`, sorted.
    func entries(_ directory: String) throws -> [String] {
        try manager.contentsOfDirectory(atPath: directory).sorted()
    }

    /// A writer whose temporary directory holds `manifest.json` with `text`.
    func writer(_ destination: String, force: Bool, text: String) throws -> AtomicDirectoryWriter {
        let writer = try AtomicDirectoryWriter(destination: destination, force: force)
        try Data(text.utf8).write(to: URL(fileURLWithPath: writer.path("manifest.json")))
        return writer
    }

    func manifestText(_ directory: String) throws -> String {
        try String(contentsOfFile: "\(directory)/manifest.json", encoding: .utf8)
    }

    @Test func commitMovesTheCompleteDirectoryIntoPlace() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        let w = try writer(destination, force: false, text: "new")
        #expect(try entries(fixture.directory).count == 1)
        #expect(try entries(fixture.directory)[0].hasPrefix(".pkg.ptq-partial.\(getpid())."))
        #expect(!manager.fileExists(atPath: destination))
        try w.commit()
        #expect(try manifestText(destination) == "new")
        #expect(try entries(fixture.directory) == ["pkg"])
    }

    @Test func existingOutputIsKeptWithoutForce() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        try writer(destination, force: false, text: "old").commit()
        #expect(throws: PackageError.self) { _ = try AtomicDirectoryWriter(destination: destination, force: false) }
        #expect(try manifestText(destination) == "old")
        #expect(try entries(fixture.directory) == ["pkg"])
    }

    @Test func forceReplacesAPackageOnlyWhenTheNewOneIsComplete() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        try writer(destination, force: false, text: "old").commit()
        let w = try writer(destination, force: true, text: "new")
        #expect(try manifestText(destination) == "old")  // untouched while the new one is built
        try w.commit()
        #expect(try manifestText(destination) == "new")
        #expect(try entries(fixture.directory) == ["pkg"])
    }

    @Test func forceRefusesToReplaceWhatIsNotAPackage() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let directory = "\(fixture.directory)/home"
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: "\(directory)/notes.txt"))
        let file = "\(fixture.directory)/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for target in [directory, file] {
            #expect(throws: PackageError.self) { _ = try AtomicDirectoryWriter(destination: target, force: true) }
        }
        #expect(try entries(directory) == ["notes.txt"])
        #expect(try entries(fixture.directory) == ["file", "home"])
        // An empty directory may be replaced.
        let empty = "\(fixture.directory)/empty"
        try manager.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try writer(empty, force: true, text: "new").commit()
        #expect(try manifestText(empty) == "new")
    }

    @Test func droppedOrDiscardedWritersLeaveNothing() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        do { _ = try writer("\(fixture.directory)/a", force: false, text: "x") }
        let w = try writer("\(fixture.directory)/b", force: false, text: "x")
        w.discard()
        #expect(try entries(fixture.directory) == [])
    }

    @Test func missingOrUnusableParentIsReported() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        for destination in ["\(fixture.directory)/missing/pkg", "\(fixture.directory)/.", "\(fixture.directory)/.."] {
            #expect {
                _ = try AtomicDirectoryWriter(destination: destination, force: true)
            } throws: { error in
                if case .outputParentUnusable = error as? PackageError { true } else { false }
            }
        }
    }

    /// Leftovers of a killed run (its pid no longer exists) are cleaned up by the next writer: a partial
    /// directory is removed, a replaced package whose destination vanished is put back.
    @Test func staleLeftoversOfKilledRunsAreCleanedUp() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        try process.run()
        process.waitUntilExit()
        let dead = process.processIdentifier
        let partial = "\(fixture.directory)/.pkg.ptq-partial.\(dead).1f"
        let replaced = "\(fixture.directory)/.pkg.ptq-replaced.\(dead).2e"
        let unrelated = "\(fixture.directory)/.other.ptq-partial.\(dead).3d"
        for path in [partial, replaced, unrelated] { try manager.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: "\(replaced)/manifest.json"))
        let destination = "\(fixture.directory)/pkg"
        #expect(throws: PackageError.self) { _ = try AtomicDirectoryWriter(destination: destination, force: false) }
        #expect(try manifestText(destination) == "old")
        #expect(try entries(fixture.directory) == [".other.ptq-partial.\(dead).3d", "pkg"])
    }
}
