import Foundation
import Testing

/// Runs the built `ptq` executable as a child process.
///
/// Test targets cannot depend on executable targets, but `swift build --build-tests` (what `swift test`
/// runs) builds every product of the package, `ptq` included, into the same directory as the test
/// bundle (`.build/<triple>/<configuration>/`). The binary is therefore looked up next to the running
/// test executable (walking up out of a macOS `.xctest` bundle), then in `.build/debug` relative to this
/// source file. A test fails with an explanation if neither exists.
enum PTQProcess {
    /// The outcome of one run.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The repository root, from this file's path (`Tests/CLITests/PTQProcess.swift`).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `ptq` executable, or `nil` if it has not been built.
    static let executable: URL? = {
        let manager = FileManager.default
        var candidates: [URL] = []
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("ptq"))
            directory.deleteLastPathComponent()
        }
        candidates.append(repository.appendingPathComponent(".build/debug/ptq"))
        return candidates.first { manager.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `ptq arguments...` in the repository root and captures its output (through files, so large
    /// outputs cannot block on a full pipe).
    static func run(_ arguments: [String]) throws -> Result {
        let executable = try #require(executable, "ptq was not built next to the test bundle; run `swift build` first")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repository
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Parses `text` as a JSON object.
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    /// The entries of every file in `ptq inspect --json` output, keyed by file then path.
    static func entries(_ json: [String: Any]) throws -> [String: [String: [String: Any]]] {
        let files = try #require(json["files"] as? [[String: Any]])
        var result: [String: [String: [String: Any]]] = [:]
        for file in files {
            let name = try #require(file["file"] as? String)
            let entries = (file["entries"] as? [[String: Any]]) ?? []
            result[name] = Dictionary(uniqueKeysWithValues: entries.compactMap { entry in
                (entry["path"] as? String).map { ($0, entry) }
            })
        }
        return result
    }
}
