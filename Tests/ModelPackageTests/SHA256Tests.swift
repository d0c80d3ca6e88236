import Foundation
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// FIPS 180-4 example vectors, Python `hashlib` digests and `sha256sum` on files.
struct SHA256Tests {
    /// One committed `hashlib` digest (Tests/Fixtures/make_sha256_vectors.py).
    struct Reference: Decodable, Sendable {
        let length: Int
        let sha256: String
    }

    /// Tests/Fixtures/sha256/hashlib_vectors.json.
    static let references: [Reference] = {
        struct File: Decodable { let vectors: [Reference] }
        return (try? TestPaths.decodeFixture("sha256/hashlib_vectors.json", as: File.self))?.vectors ?? []
    }()

    /// The fixture's message of `length` bytes: byte i is (i·167 + L·13 + ⌊i/256⌋) mod 256.
    static func message(length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ length &* 13 &+ ($0 >> 8)) }
    }

    /// (message, digest) pairs from FIPS 180-4 / NIST CAVP short messages.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ]

    @Test(arguments: vectors)
    func knownVectors(message: String, digest: String) {
        var hasher = SHA256()
        hasher.update(Array(message.utf8))
        #expect(hasher.finalize().hex == digest)
    }

    /// One million 'a' (FIPS 180-4), fed in uneven pieces so partial blocks are exercised.
    @Test func millionAInPieces() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
            step = step * 3 % 997 + 1
        }
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func referenceFixtureIsPresent() {
        #expect(Self.references.count > 300)
    }

    /// Each fixture message hashed whole and again fed in uneven pieces (1…997 bytes) must give
    /// `hashlib`'s digest.
    @Test(arguments: references)
    func agreesWithHashlib(reference: Reference) {
        let bytes = Self.message(length: reference.length)
        var whole = SHA256()
        whole.update(bytes)
        #expect(whole.finalize().hex == reference.sha256, "length \(reference.length)")
        var pieces = SHA256()
        Self.feedInPieces(bytes) { pieces.update($0) }
        #expect(pieces.finalize().hex == reference.sha256, "length \(reference.length) in pieces")
    }

    /// Hands `bytes` to `update` in uneven pieces of 1…997 bytes (the first `length % 61 + 1`).
    static func feedInPieces(_ bytes: [UInt8], _ update: (UnsafeRawBufferPointer) -> Void) {
        var offset = 0
        var step = bytes.count % 61 + 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            bytes[offset..<end].withUnsafeBytes { update($0) }
            offset = end
            step = step * 7 % 997 + 1
        }
    }

    /// A copy of a hasher continues independently of the original (value semantics): both finish the
    /// same message after the original was fed further.
    @Test func copyForksTheRunningDigest() throws {
        let expected = try #require(Self.references.first { $0.length == 200 }).sha256
        let bytes = Self.message(length: 200)
        var original = SHA256()
        original.update(Array(bytes[0..<100]))
        var copy = original
        original.update(Array(bytes[100...]))
        copy.update(Array(bytes[100...]))
        #expect(original.finalize().hex == expected)
        #expect(copy.finalize().hex == expected)
    }

    /// Every length 0…200 (all padding cases) against `sha256sum` when it is installed.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "SKIPPED: no /usr/bin/sha256sum"))
    func filesAgreeWithSha256sum() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        var expected: [String: (String, Int)] = [:]
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200, 3 << 20 | 7] {
            let path = directory.appendingPathComponent("f\(length)").path
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            let (digest, size) = try SHA256.hash(fileAt: path)
            expected[path] = (digest.hex, size)
            #expect(size == length)
        }
        let (status, output) = try SpawnedProcess.run("/usr/bin/sha256sum", paths)
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == paths.count)
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1)
            let path = String(parts[1].drop { $0 == " " || $0 == "*" })
            #expect(expected[path]?.0 == String(parts[0]), "\(path)")
        }
    }

    @Test func missingFileIsACannotReadError() {
        #expect(throws: PackageError.self) { try SHA256.hash(fileAt: "/nonexistent/file.h5") }
    }
}
