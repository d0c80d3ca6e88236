import Foundation
import Testing

@testable import PackageFormat
@testable import PackageWriter

struct AtomicFileWriterTests {
    /// The pid of a process that has exited (and been waited for).
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

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
        let writer = try AtomicFileWriter(destination: "\(fixture.directory)/r.h5", force: false)
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
            let writer = try AtomicFileWriter(destination: destination, force: true)
            try writer.create { path in try Data("partial".utf8).write(to: URL(fileURLWithPath: path)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory) == ["r.h5"])
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "old")
    }
}
