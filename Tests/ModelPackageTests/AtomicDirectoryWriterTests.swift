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

    /// A package-directory writer (``PackageBuilder/replacementRule(force:inputs:)``) on `destination`.
    func packageWriter(_ destination: String, force: Bool, inputs: [String] = []) throws -> AtomicDirectoryWriter {
        try AtomicDirectoryWriter(
            destination: destination, rule: PackageBuilder.replacementRule(force: force, inputs: inputs))
    }

    /// A writer whose temporary directory holds a PTQKit `manifest.json` tagged with `text`.
    func writer(_ destination: String, force: Bool, text: String, inputs: [String] = []) throws -> AtomicDirectoryWriter
    {
        let writer = try packageWriter(destination, force: force, inputs: inputs)
        try Data(Self.manifest(text).utf8).write(to: URL(fileURLWithPath: writer.path("manifest.json")))
        return writer
    }

    /// A manifest of the package format carrying `tag`.
    static func manifest(_ tag: String) -> String { "{\"format\":\"\(Manifest.formatName)\",\"tag\":\"\(tag)\"}" }

    /// The tag of the manifest in `directory`.
    func manifestText(_ directory: String) throws -> String {
        let text = try String(contentsOfFile: "\(directory)/manifest.json", encoding: .utf8)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object?["tag"] as? String ?? text
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
        #expect(throws: PackageError.self) { _ = try packageWriter(destination, force: false) }
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
            #expect(throws: PackageError.self) { _ = try packageWriter(target, force: true) }
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
                _ = try packageWriter(destination, force: true)
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
        let dead = try AtomicFileWriterTests.deadPID()
        let partial = "\(fixture.directory)/.pkg.ptq-partial.\(dead).1f"
        let replaced = "\(fixture.directory)/.pkg.ptq-replaced.\(dead).2e"
        let unrelated = "\(fixture.directory)/.other.ptq-partial.\(dead).3d"
        for path in [partial, replaced, unrelated] {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        try Data(Self.manifest("old").utf8).write(to: URL(fileURLWithPath: "\(replaced)/manifest.json"))
        let destination = "\(fixture.directory)/pkg"
        #expect(throws: PackageError.self) { _ = try packageWriter(destination, force: false) }
        #expect(try manifestText(destination) == "old")
        #expect(try entries(fixture.directory) == [".other.ptq-partial.\(dead).3d", "pkg"])
    }
    // MARK: - --force replaces only PTQKit packages (issue #20, item 1)

    /// The case: a directory with a `manifest.json` of another program, `bg.js` and `icons/`.
    @Test func forceRefusesADirectoryWithAForeignManifestAndOtherFiles() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let ext = "\(fixture.directory)/ext"
        try manager.createDirectory(atPath: "\(ext)/icons", withIntermediateDirectories: true)
        try Data("{\"manifest_version\":3}".utf8).write(to: URL(fileURLWithPath: "\(ext)/manifest.json"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(ext)/bg.js"))
        #expect {
            _ = try packageWriter(ext, force: true)
        } throws: { error in
            guard case .refusedToReplace(_, let reason) = error as? PackageError else { return false }
            return reason.contains("bg.js") && reason.contains("icons")
        }
        // Only our file names, but somebody else's manifest: refused too.
        try manager.removeItem(atPath: "\(ext)/bg.js")
        try manager.removeItem(atPath: "\(ext)/icons")
        #expect {
            _ = try packageWriter(ext, force: true)
        } throws: { error in
            guard case .refusedToReplace(_, let reason) = error as? PackageError else { return false }
            return reason.contains("not a PTQKit manifest")
        }
        #expect(try entries(ext) == ["manifest.json"])
    }

    /// A package that holds an input of the run (a copied weights file, or a file named like one of the
    /// package's own) is not replaced; the run's inputs survive.
    @Test func forceRefusesAPackageHoldingAnInput() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        try writer(destination, force: false, text: "old").commit()
        let input = "\(destination)/summary.md"  // a name the package format allows
        try Data("my input".utf8).write(to: URL(fileURLWithPath: input))
        for given in [input, "\(fixture.directory)/./pkg/../pkg/summary.md"] {
            #expect {
                _ = try writer(destination, force: true, text: "new", inputs: [given])
            } throws: { error in
                guard case .refusedToReplace(_, let reason) = error as? PackageError else { return false }
                return reason.contains("an input of this run")
            }
        }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "my input")
        #expect(try manifestText(destination) == "old")
        // A symbolic link to a package is not followed and replaced either.
        let link = "\(fixture.directory)/link"
        try manager.createSymbolicLink(atPath: link, withDestinationPath: destination)
        #expect(throws: PackageError.self) { _ = try packageWriter(link, force: true) }
    }

    /// What stands at the destination is checked again when the new package is committed: a package
    /// that gained a foreign file meanwhile is kept and the run fails.
    @Test func forceChecksTheDestinationAgainAtCommit() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        try writer(destination, force: false, text: "old").commit()
        let w = try writer(destination, force: true, text: "new")
        try Data("added".utf8).write(to: URL(fileURLWithPath: "\(destination)/notes.txt"))
        #expect {
            try w.commit()
        } throws: { error in
            if case .refusedToReplace = error as? PackageError { true } else { false }
        }
        #expect(try entries(destination) == ["manifest.json", "notes.txt"])
        #expect(try manifestText(destination) == "old")
        #expect(try entries(fixture.directory) == ["pkg"])
    }

    /// Without force, a directory that appears at the destination while the package is built (even an
    /// empty one, which `rename(2)` would replace) is kept and the commit fails.
    @Test func commitWithoutForceNeverReplacesADirectoryThatAppeared() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/pkg"
        let w = try writer(destination, force: false, text: "new")
        try manager.createDirectory(atPath: destination, withIntermediateDirectories: false)
        #expect {
            try w.commit()
        } throws: { error in
            if case .outputExists = error as? PackageError { true } else { false }
        }
        #expect(try entries(destination) == [])
        #expect(try entries(fixture.directory) == ["pkg"])
    }
}
