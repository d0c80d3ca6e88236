import Foundation
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

#if canImport(Glibc)
import Glibc
#endif

struct AtomicFileWriterTests {
    /// The pid of a process that has exited (and been waited for).
    static func deadPID() throws -> Int32 {
        let child = try SpawnedProcess("/bin/sh", ["-c", "exit 0"])
        child.wait()
        return child.pid
    }

    /// A rule that recognizes files whose text starts with "ours" (or "old", the older file of a test).
    static func rule(force: Bool, inputs: [String] = []) -> ReplacementRule {
        ReplacementRule(force: force, outputKind: "test output", inputs: inputs) { path in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return text.hasPrefix("ours") || text.hasPrefix("old") ? nil : "it does not start with 'ours'"
        }
    }

    /// Writes `text` to `path`.
    static func write(_ text: String, _ path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The text at `path`.
    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The temporary file of a killed run (its pid is dead) is removed when the next writer for the same
    /// file starts; one of a live process (this one) and one of another file are left alone.
    @Test func staleTemporaryFilesOfKilledRunsAreRemoved() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let dead = try Self.deadPID()
        let stale = ".r.h5\(AtomicDirectoryWriter.partialMarker)\(dead).1f"
        let live = ".r.h5\(AtomicDirectoryWriter.partialMarker)\(getpid()).2e"
        let other = ".s.h5\(AtomicDirectoryWriter.partialMarker)\(dead).3d"
        for name in [stale, live, other] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(fixture.directory)/\(name)"))
        }
        let writer = try AtomicFileWriter(destination: "\(fixture.directory)/r.h5", rule: Self.rule(force: false))
        try writer.create { path in try Data("new".utf8).write(to: URL(fileURLWithPath: path)) }
        try writer.commit()
        let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted()
        #expect(entries == [live, other, "r.h5"])
        #expect(try String(contentsOfFile: "\(fixture.directory)/r.h5", encoding: .utf8) == "new")
    }

    /// A writer dropped before `commit` removes its temporary file and leaves the destination alone.
    @Test func discardedWriterLeavesTheOlderFile() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/r.h5"
        try Data("old".utf8).write(to: URL(fileURLWithPath: destination))
        do {
            let writer = try AtomicFileWriter(destination: destination, rule: Self.rule(force: true))
            try writer.create { path in try Data("partial".utf8).write(to: URL(fileURLWithPath: path)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory) == ["r.h5"])
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "old")
    }
    // MARK: - No replacement without force, none of foreign files with it (issue #20, items 1 and 2)

    /// The case: a file written at the destination while `ptq dequantize` ran is kept (the final
    /// rename does not replace), and the run fails; so does the second of two writers to one path.
    @Test func commitWithoutForceKeepsAFileThatAppeared() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/d.h5"
        let first = try AtomicFileWriter(destination: destination, rule: Self.rule(force: false))
        let second = try AtomicFileWriter(destination: destination, rule: Self.rule(force: false))
        for writer in [first, second] { try writer.create { path in try Self.write("ours", path) } }
        try Self.write("precious", destination)
        #expect {
            try first.commit()
        } throws: { error in
            if case .outputExists = error as? PackageError { true } else { false }
        }
        #expect(try Self.text(destination) == "precious")
        try FileManager.default.removeItem(atPath: destination)
        try second.commit()
        #expect(try Self.text(destination) == "ours")
        let third = try AtomicFileWriter(destination: "\(destination).2", rule: Self.rule(force: false))
        try third.create { path in try Self.write("ours 3", path) }
        try Self.write("precious", "\(destination).2")
        #expect(throws: PackageError.self) { try third.commit() }
        #expect(try Self.text("\(destination).2") == "precious")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted() == ["d.h5", "d.h5.2"])
    }

    /// With force, a file the rule does not recognize, or an input, is refused at the start; a file
    /// swapped for a foreign one during the run is refused at commit and kept.
    @Test func forceReplacesOnlyRecognizedFilesThatAreNoInput() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let destination = "\(fixture.directory)/out"
        try Self.write("precious", destination)
        #expect {
            _ = try AtomicFileWriter(destination: destination, rule: Self.rule(force: true))
        } throws: { error in
            guard case .refusedToReplace(_, let reason) = error as? PackageError else { return false }
            return reason.contains("not a test output")
        }
        try Self.write("ours, old", destination)
        let link = "\(fixture.directory)/hard-link"
        #expect(Glibc.link(destination, link) == 0)
        #expect {
            _ = try AtomicFileWriter(destination: destination, rule: Self.rule(force: true, inputs: [link]))
        } throws: { error in
            guard case .refusedToReplace(_, let reason) = error as? PackageError else { return false }
            return reason.contains("an input of this run")
        }
        let writer = try AtomicFileWriter(destination: destination, rule: Self.rule(force: true))
        try writer.create { path in try Self.write("ours, new", path) }
        try FileManager.default.removeItem(atPath: destination)
        try Self.write("precious", destination)
        #expect(throws: PackageError.self) { try writer.commit() }
        #expect(try Self.text(destination) == "precious")
        let replacing = try AtomicFileWriter(destination: link, rule: Self.rule(force: true))
        try replacing.create { path in try Self.write("ours, newest", path) }
        try replacing.commit()
        #expect(try Self.text(link) == "ours, newest")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.directory).sorted() == ["hard-link", "out"])
    }
}
