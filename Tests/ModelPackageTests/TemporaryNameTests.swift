import Foundation
import Testing

@testable import PackageFormat
@testable import PackageWriter

#if canImport(Glibc)
import Glibc
#endif

/// Outputs whose names leave no room for the temporary suffix (issue 20: a 240-byte output name failed
/// because `.<name>.ptq-partial.<pid>.<random>` exceeded NAME_MAX, 255 bytes).
struct TemporaryNameTests {
    let manager = FileManager.default

    /// The package writer's replacement rule.
    static func packageRule(force: Bool) -> ReplacementRule {
        PackageBuilder.replacementRule(force: force, inputs: [])
    }

    @Test(arguments: [240, 255])
    func longDirectoryNamesGetShortTemporaryNames(bytes: Int) throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        // Two-byte characters, so a cut in the middle of one would show.
        let name = String(repeating: "é", count: bytes / 2) + String(repeating: "x", count: bytes % 2)
        #expect(name.utf8.count == bytes)
        let destination = "\(fixture.directory)/\(name)"
        let writer = try AtomicDirectoryWriter(destination: destination, rule: Self.packageRule(force: false))
        let temporary = (writer.temporaryPath as NSString).lastPathComponent
        #expect(temporary.utf8.count <= 255, "\(temporary.utf8.count) bytes")
        try Data(AtomicDirectoryWriterTests.manifest("new").utf8).write(
            to: URL(fileURLWithPath: writer.path("manifest.json")))
        try writer.commit()
        #expect(try manager.contentsOfDirectory(atPath: fixture.directory) == [name])
        #expect(
            try String(contentsOfFile: "\(destination)/manifest.json", encoding: .utf8)
                == AtomicDirectoryWriterTests.manifest("new"))
        // Replaced with --force: the aside name is shortened the same way.
        let again = try AtomicDirectoryWriter(destination: destination, rule: Self.packageRule(force: true))
        try Data(AtomicDirectoryWriterTests.manifest("newer").utf8).write(
            to: URL(fileURLWithPath: again.path("manifest.json")))
        try again.commit()
        #expect(
            try String(contentsOfFile: "\(destination)/manifest.json", encoding: .utf8)
                == AtomicDirectoryWriterTests.manifest("newer"))
        #expect(try manager.contentsOfDirectory(atPath: fixture.directory) == [name])
    }

    @Test func longFileNamesGetShortTemporaryNames() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let name = String(repeating: "f", count: 250) + ".h5"
        let writer = try AtomicFileWriter(
            destination: "\(fixture.directory)/\(name)", rule: AtomicFileWriterTests.rule(force: false))
        #expect((writer.temporaryPath as NSString).lastPathComponent.utf8.count <= 255)
        try writer.create { path in try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        try writer.commit()
        #expect(try manager.contentsOfDirectory(atPath: fixture.directory) == [name])
    }

    /// The clean-up of a killed run's leftovers finds them under the shortened stem.
    @Test func staleLeftoversOfLongNamesAreCleanedUp() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let name = String(repeating: "p", count: 240)
        let stem = TemporaryName.stem(name)
        #expect(stem != name && stem.utf8.count < 120)
        let dead = try AtomicFileWriterTests.deadPID()
        let partial = "\(fixture.directory)/.\(stem).ptq-partial.\(dead).1f"
        let replaced = "\(fixture.directory)/.\(stem).ptq-replaced.\(dead).2e"
        for path in [partial, replaced] { try manager.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: "\(replaced)/manifest.json"))
        let destination = "\(fixture.directory)/\(name)"
        #expect(throws: PackageError.self) {
            _ = try AtomicDirectoryWriter(destination: destination, rule: Self.packageRule(force: false))
        }
        #expect(try String(contentsOfFile: "\(destination)/manifest.json", encoding: .utf8) == "old")
        #expect(try manager.contentsOfDirectory(atPath: fixture.directory) == [name])
    }

    @Test func stemsKeepShortNamesAndSeparateLongOnes() {
        #expect(TemporaryName.stem("pkg") == "pkg")
        let short = String(repeating: "s", count: TemporaryName.longestKeptName)
        #expect(TemporaryName.stem(short) == short)
        let a = String(repeating: "n", count: 240) + "a"
        let b = String(repeating: "n", count: 240) + "b"
        #expect(TemporaryName.stem(a) == TemporaryName.stem(a))
        #expect(TemporaryName.stem(a) != TemporaryName.stem(b))
    }
}
