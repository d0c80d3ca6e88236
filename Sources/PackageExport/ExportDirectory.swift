import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--force` check of the formats written as a directory (``ExportFormat/writesDirectory``).
enum ExportDirectory {
    /// The top-level JSON key naming the package an export came from (ignored by the consumers' readers).
    static let markerKey = "ptqkit_exported_from"

    /// Why the directory at `path` is not an export `ptq export` wrote (`nil` when it is one, or empty): it
    /// holds only `fileNames`, as regular files, and the JSON object in `marked` has ``markerKey``.
    static func whyNotOwned(_ path: String, fileNames: [String], marked: String) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return "its entries cannot be listed"
        }
        if entries.isEmpty { return nil }
        let foreign = entries.filter { !fileNames.contains($0) }.sorted()
        if !foreign.isEmpty {
            return "it holds \(foreign.prefix(5).joined(separator: ", ")), which ptq export did not write"
        }
        var info = stat()
        for entry in entries where lstat("\(path)/\(entry)", &info) != 0 || info.st_mode & S_IFMT != S_IFREG {
            return "\(entry) is not a regular file"
        }
        guard let data = FileManager.default.contents(atPath: "\(path)/\(marked)"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object[markerKey] is String
        else { return "its \(marked) has no \(markerKey)" }
        return nil
    }
}
