import Foundation
import TestSupport
import Testing

@testable import PackageFormat

/// XXH3-128 against digests of the reference implementation (PyPI `xxhash`), whole, in pieces and on
/// files through ``Fingerprint``.
struct XXH3Tests {
    /// One committed reference digest (Tests/Fixtures/make_xxh3_vectors.py).
    struct Reference: Decodable, Sendable {
        let length: Int
        let digest: String

        enum CodingKeys: String, CodingKey {
            case length
            case digest = "xxh3_128"
        }
    }

    /// Tests/Fixtures/xxh3/xxhash_vectors.json.
    static let references: [Reference] = {
        struct File: Decodable { let vectors: [Reference] }
        return (try? TestPaths.decodeFixture("xxh3/xxhash_vectors.json", as: File.self))?.vectors ?? []
    }()

    /// Short messages with their digests printed by `xxhash.xxh3_128(m).hexdigest()` (xxHash 0.8.4).
    static let vectors: [(String, String)] = [
        ("", "99aa06d3014798d86001c324468d497f"),
        ("a", "a96faf705af16834e6c632b61e964e1f"),
        ("abc", "06b05ab6733a618578af5f94892f3950"),
        ("message digest", "34ab715d95e3b6490abfabecb8e3a424"),
        (String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 10), "f712b5d3307aca81a94e7bf85486aeb3"),
    ]

    @Test(arguments: vectors)
    func knownVectors(message: String, digest: String) {
        var hasher = XXH3()
        hasher.update(Array(message.utf8))
        #expect(Fingerprint.hex(hasher.finalize()) == digest)
    }

    @Test func referenceFixtureIsPresent() {
        #expect(Self.references.count > 250)
    }

    /// Each fixture message hashed whole and again fed in uneven pieces (1…997 bytes, across the 256-byte
    /// streaming buffer and the 1024-byte blocks) must give the reference digest.
    @Test(arguments: references)
    func agreesWithReference(reference: Reference) {
        let bytes = SHA256Tests.message(length: reference.length)
        var whole = XXH3()
        whole.update(bytes)
        #expect(Fingerprint.hex(whole.finalize()) == reference.digest, "length \(reference.length)")
        var pieces = XXH3()
        SHA256Tests.feedInPieces(bytes) { pieces.update($0) }
        #expect(Fingerprint.hex(pieces.finalize()) == reference.digest, "length \(reference.length) in pieces")
    }

    /// Files hashed through ``Fingerprint/of(fileAt:algorithm:)`` (1 MiB reads) give the reference
    /// digests, and the SHA-256 path gives `hashlib`'s.
    @Test func filesAgreeWithReference() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xxh3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lengths = [0, 17, 241, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 7]
        for length in lengths {
            let reference = try #require(Self.references.first { $0.length == length })
            let path = directory.appendingPathComponent("f\(length)").path
            try Data(SHA256Tests.message(length: length)).write(to: URL(fileURLWithPath: path))
            let (fingerprint, size) = try Fingerprint.of(fileAt: path, algorithm: .xxh3)
            #expect(size == length)
            #expect(fingerprint == Fingerprint(algorithm: .xxh3, hex: reference.digest), "length \(length)")
            let sha = try #require(SHA256Tests.references.first { $0.length == length })
            #expect(try Fingerprint.of(fileAt: path, algorithm: .sha256).0.hex == sha.sha256)
            #expect(try Fingerprint.size(ofFileAt: path) == length)
        }
    }

    /// Files read as several mapped windows (``Fingerprint/windowBytes``), a last partial one included, hash
    /// as the same bytes hashed in memory; a directory is refused with a read error, not mapped.
    @Test func mappedWindowsHashLikeTheBytesInMemory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xxh3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let window = Fingerprint.windowBytes
        for length in [window, window + 1, 2 * window + 13] {
            let bytes = SHA256Tests.message(length: length)
            let path = directory.appendingPathComponent("f\(length)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            var xxh3 = XXH3()
            xxh3.update(bytes)
            var sha = SHA256()
            sha.update(bytes)
            let (fingerprint, size) = try Fingerprint.of(fileAt: path, algorithm: .xxh3)
            #expect(size == length)
            #expect(fingerprint.hex == Fingerprint.hex(xxh3.finalize()), "length \(length)")
            #expect(try Fingerprint.of(fileAt: path, algorithm: .sha256).0.hex == sha.finalize().hex)
        }
        #expect(throws: PackageError.self) { try Fingerprint.of(fileAt: directory.path, algorithm: .xxh3) }
    }

    /// An input record round-trips through JSON with its digest under the algorithm's key, and a record
    /// without a digest (`--fingerprint none`) has neither key.
    @Test func inputRecordsNameTheirAlgorithm() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let xxh3 = InputFile(
            role: .weights, path: "w.h5", size: 3, fingerprint: Fingerprint(algorithm: .xxh3, hex: "ab"))
        let none = InputFile(role: .config, path: "c.yaml", size: 1, fingerprint: nil)
        let xxh3JSON = String(decoding: try encoder.encode(xxh3), as: UTF8.self)
        #expect(xxh3JSON == #"{"path":"w.h5","role":"weights","size":3,"xxh3_128":"ab"}"#)
        #expect(
            String(decoding: try encoder.encode(none), as: UTF8.self) == #"{"path":"c.yaml","role":"config","size":1}"#)
        #expect(try JSONDecoder().decode(InputFile.self, from: Data(xxh3JSON.utf8)) == xxh3)
        let sha = #"{"path":"w.h5","role":"weights","size":3,"sha256":"cd"}"#
        #expect(
            try JSONDecoder().decode(InputFile.self, from: Data(sha.utf8)).fingerprint
                == Fingerprint(algorithm: .sha256, hex: "cd"))
        let both = #"{"path":"w.h5","role":"weights","size":3,"sha256":"cd","xxh3_128":"ab"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(InputFile.self, from: Data(both.utf8)) }
    }

    @Test func missingFileIsACannotReadError() {
        #expect(throws: PackageError.self) { try Fingerprint.of(fileAt: "/nonexistent/file.h5", algorithm: .xxh3) }
    }
}
