public import Foundation

/// Saved observer statistics: "calibrate once, choose later".
///
/// A JSON document holding, per entry name (a layer, or a layer's tensor), an observer's complete
/// saved state (`kind`, `version`, `options`, `state`; see `ObserverSnapshot`), plus free-form
/// provenance `metadata` (which config, inputs and rows it covers). Re-loaded, the min-max and
/// histogram states calibrate again with another method, target or bit width without the tensors
/// (`AnyObserver.withOptions(of:)`, `HistogramObserver.with(method:)`, `ranges(for:)`).
///
/// Layout (keys sorted, so equal statistics give byte-identical files):
///
///     {"checksum": "fnv1a64:<16 hex>", "entries": {name: snapshot, …}, "format": "ptqkit-statistics",
///      "metadata": {key: value, …}, "version": 1}
///
/// `checksum` is the FNV-1a 64 hash of the canonical JSON encoding of `{"entries", "metadata"}`;
/// reading recomputes it, so flipped bytes and truncation are reported as
/// `StatisticsFileError.checksumMismatch` (or as unparsable).
public struct StatisticsFile: Sendable {
    /// The `format` field's value.
    public static let formatName = "ptqkit-statistics"
    /// The version this build writes (and the newest it reads).
    public static let currentVersion = 1

    /// Observers by entry name.
    public var entries: [String: AnyObserver]
    /// Provenance: free-form key/value pairs.
    public var metadata: [String: String]

    /// Creates a statistics file from its parts.
    public init(entries: [String: AnyObserver], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    private struct Payload: Codable {
        var entries: [String: AnyObserver]
        var metadata: [String: String]
    }

    private struct Document: Codable {
        var checksum: String
        var entries: [String: AnyObserver]
        var format: String
        var metadata: [String: String]
        var version: Int
    }

    private struct Header: Decodable {
        var format: String?
        var version: Int?
        var checksum: String?
    }

    static func canonicalEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// The file's bytes (canonical JSON with its checksum).
    public func encoded() throws -> Data {
        let e = Self.canonicalEncoder()
        let checksum = FNV1a64.checksum(try e.encode(Payload(entries: entries, metadata: metadata)))
        return try e.encode(Document(checksum: checksum, entries: entries, format: Self.formatName,
                                     metadata: metadata, version: Self.currentVersion))
    }

    /// Parses and verifies a statistics file; observer kinds are looked up in `registry`.
    /// - Throws: `StatisticsFileError` naming `source` and the cause.
    public init(decoding data: Data, registry: ObserverRegistry = .builtIn, source: String = "<data>") throws {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw StatisticsFileError.unreadable(source: source, reason: "not JSON (truncated or damaged?): \(error)")
        }
        guard header.format == Self.formatName else {
            throw StatisticsFileError.unreadable(source: source, reason: "format is '\(header.format ?? "missing")', expected '\(Self.formatName)'")
        }
        guard let version = header.version, (1...Self.currentVersion).contains(version) else {
            throw StatisticsFileError.unsupportedVersion(source: source, found: header.version ?? 0, supported: Self.currentVersion)
        }
        let decoder = JSONDecoder()
        decoder.userInfo[.observerRegistry] = registry
        let doc: Document
        do {
            doc = try decoder.decode(Document.self, from: data)
        } catch {
            throw StatisticsFileError.unreadable(source: source, reason: "\(error)")
        }
        let actual = FNV1a64.checksum(try Self.canonicalEncoder().encode(Payload(entries: doc.entries, metadata: doc.metadata)))
        guard actual == doc.checksum else {
            throw StatisticsFileError.checksumMismatch(source: source, recorded: doc.checksum, computed: actual)
        }
        entries = doc.entries
        metadata = doc.metadata
    }

    /// Writes the file atomically (a temporary file beside it, then renamed).
    public func write(to url: URL) throws {
        do {
            try encoded().write(to: url, options: .atomic)
        } catch let e as StatisticsFileError {
            throw e
        } catch {
            throw StatisticsFileError.io(source: url.path, reason: "\(error)")
        }
    }

    /// Reads and verifies the file at `url`.
    public init(contentsOf url: URL, registry: ObserverRegistry = .builtIn) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StatisticsFileError.io(source: url.path, reason: "\(error)")
        }
        try self.init(decoding: data, registry: registry, source: url.path)
    }
}

/// Why a statistics file could not be read or written.
public enum StatisticsFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a PTQKit statistics file, damaged or truncated JSON, or an entry that fails to restore.
    case unreadable(source: String, reason: String)
    /// Written by a newer format version than this build reads.
    case unsupportedVersion(source: String, found: Int, supported: Int)
    /// The recorded checksum does not match the content (the file was altered or damaged).
    case checksumMismatch(source: String, recorded: String, computed: String)
    /// The file system refused.
    case io(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(source, reason): return "\(source): not a readable PTQKit statistics file: \(reason)"
        case let .unsupportedVersion(source, found, supported):
            return "\(source): statistics format version \(found) is not supported (this build reads 1…\(supported))"
        case let .checksumMismatch(source, recorded, computed):
            return "\(source): checksum mismatch (recorded \(recorded), content hashes to \(computed)): the file is damaged"
        case let .io(source, reason): return "\(source): \(reason)"
        }
    }
}
