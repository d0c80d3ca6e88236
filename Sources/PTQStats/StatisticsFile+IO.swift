import Calibrator
public import Foundation
public import Observers
public import PackageFormat
public import PackageWriter

extension StatisticsFile {
    /// The file's bytes: the header, then the canonical body whose SHA-256 the header carries.
    public func encoded() throws(StatisticsFileError) -> Data {
        let body: Data
        do {
            body = try Self.canonicalEncoder().encode(self.body)
        } catch {
            throw .package(.cannotWrite(path: "", reason: "cannot encode the statistics: \(error)"))
        }
        var hasher = SHA256()
        hasher.update(Array(body))
        let header =
            "{\"format\":\"\(Self.format)\",\"formatVersion\":\(Self.formatVersion),"
            + "\"sha256\":\"\(hasher.finalize().hex)\""
        var data = Data(header.utf8)
        data.append(contentsOf: Self.bodyMarker)
        data.append(body)
        data.append(contentsOf: Array("}\n".utf8))
        return data
    }

    /// What may be replaced at a statistics file's path: with `force`, a PTQKit statistics file (its
    /// header names ``format``) that is none of `inputs`.
    public static func replacementRule(force: Bool, inputs: [String]) -> ReplacementRule {
        ReplacementRule(force: force, outputKind: "PTQKit statistics file", inputs: inputs) { path in
            let prefix = Array("{\"format\":\"\(format)\"".utf8)
            guard let handle = FileHandle(forReadingAtPath: path) else { return "it cannot be read" }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: prefix.count)) ?? Data()
            return Array(head) == prefix ? nil : "it does not start with a \(format) header"
        }
    }

    /// Writes the file atomically at `path` (never a partial file there; an existing file only with
    /// `force`, and only a statistics file that is none of `inputs`: see ``replacementRule(force:inputs:)``).
    ///
    /// - Throws: ``StatisticsFileError/package(_:)`` wrapping the output error.
    public func write(to path: String, force: Bool, inputs: [String] = []) throws(StatisticsFileError) {
        let data = try encoded()
        do {
            let rule = Self.replacementRule(force: force, inputs: inputs)
            let writer = try AtomicFileWriter(destination: path, rule: rule)
            do {
                try writer.create { path in try data.write(to: URL(fileURLWithPath: path)) }
            } catch {
                writer.discard()
                throw PackageError.cannotWrite(path: path, reason: PackageError.reason(of: error))
            }
            try writer.commit()
        } catch let error as PackageError {
            throw .package(error)
        } catch {
            throw .package(.cannotWrite(path: path, reason: "\(error)"))
        }
    }

    /// Reads and checks the file at `path`: header, SHA-256 of the body, format version, contents.
    ///
    /// - Parameters:
    ///   - path: the statistics file.
    ///   - registry: restores the saved observer kinds (user observers must be registered).
    /// - Returns: the checked statistics file.
    /// - Throws: ``StatisticsFileError`` naming `path`.
    public static func read(_ path: String, registry: ObserverRegistry = .builtIn) throws(StatisticsFileError)
        -> StatisticsFile
    {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, path: path, registry: registry)
    }

    /// Checks and decodes a file's bytes (`path` names it in errors).
    public static func decode(_ data: Data, path: String, registry: ObserverRegistry = .builtIn)
        throws(StatisticsFileError) -> StatisticsFile
    {
        let bytes = [UInt8](data)
        guard let marker = firstRange(of: bodyMarker, in: bytes) else {
            throw .corrupted(path: path, reason: "not a PTQKit statistics file, or its header is damaged")
        }
        struct Header: Decodable {
            var format: String
            var formatVersion: Int
            var sha256: String
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[..<marker.lowerBound] + Array("}".utf8)))
        } catch {
            throw .corrupted(path: path, reason: "not a PTQKit statistics file, or its header is damaged")
        }
        guard header.format == format else {
            throw .corrupted(path: path, reason: "format is '\(header.format)', not '\(format)'")
        }
        let trailer = Array("}\n".utf8)
        guard bytes.count >= marker.upperBound + trailer.count, Array(bytes.suffix(trailer.count)) == trailer else {
            throw .corrupted(path: path, reason: "truncated (the file does not end where its body closes)")
        }
        let body = bytes[marker.upperBound..<(bytes.count - trailer.count)]
        var hasher = SHA256()
        hasher.update(Array(body))
        let actual = hasher.finalize().hex
        guard actual == header.sha256 else {
            throw .corrupted(
                path: path,
                reason: "SHA-256 of the body is \(actual), the header says \(header.sha256) (damaged or truncated)")
        }
        guard (1...formatVersion).contains(header.formatVersion) else {
            throw .unsupportedFormatVersion(path: path, found: header.formatVersion, supported: formatVersion)
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.userInfo[.observerRegistry] = registry
        do {
            return StatisticsFile(body: try decoder.decode(Body.self, from: Data(body)))
        } catch {
            throw .invalidContents(path: path, reason: "\(error)")
        }
    }

    /// `,"body":` — what separates the header from the body.
    static let bodyMarker = Array(",\"body\":".utf8)

    /// The first occurrence of `needle` in `haystack`.
    static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start..<(start + needle.count) }
        }
        return nil
    }
}
