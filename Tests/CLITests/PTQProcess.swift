import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

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

    /// The repository root.
    static let repository = TestPaths.repository

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
        return try run(program: executable.path, arguments)
    }

    /// Runs any program the same way (e.g. `/usr/bin/env VAR=value sh script` for the recipe scripts).
    static func run(program executable: String, _ arguments: [String]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let status = try spawn(executable, arguments, stdout: outURL.path, stderr: errURL.path)
        return Result(
            status: status,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    #if os(Linux)
    /// Starts the child with `posix_spawn`, closing every inherited descriptor above stderr: the tests run
    /// in parallel with HDF5 tests whose open files hold `flock` locks, and a child inheriting one of those
    /// descriptors would keep the lock alive and make a later open in this process fail.
    private static func spawn(_ executable: String, _ arguments: [String], stdout: String, stderr: String) throws
        -> Int32
    {
        waitForExit(try start(executable, arguments, stdout: stdout, stderr: stderr))
    }

    /// Starts `ptq arguments...` in the repository root with stdout and stderr going to files, without
    /// waiting (for tests that signal the child); see ``waitForExit(_:)``. `environment` adds to or
    /// replaces variables of this process's environment.
    static func start(_ arguments: [String], stdout: String, stderr: String, environment: [String: String] = [:]) throws
        -> pid_t
    {
        let executable = try #require(executable, "ptq was not built next to the test bundle; run `swift build` first")
        return try start(executable.path, arguments, stdout: stdout, stderr: stderr, environment: environment)
    }

    private static func start(
        _ executable: String, _ arguments: [String], stdout: String, stderr: String,
        environment extra: [String: String] = [:]
    ) throws -> pid_t {
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        return try SpawnedProcess(
            executable, arguments, environment: environment, directory: repository.path,
            output: .files(stdout: stdout, stderr: stderr)
        ).detach()
    }

    /// Waits for a child started by ``start(_:stdout:stderr:)``: its exit status, or 128 + the signal
    /// that killed it.
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED: low 7 bits zero, WEXITSTATUS: bits 8-15; otherwise killed by signal (status & 0x7f).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
    #else
    private static func spawn(_ executable: String, _ arguments: [String], stdout: String, stderr: String) throws
        -> Int32
    {
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = repository
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return process.terminationStatus
    }
    #endif

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
            result[name] = Dictionary(
                uniqueKeysWithValues: entries.compactMap { entry in
                    (entry["path"] as? String).map { ($0, entry) }
                })
        }
        return result
    }
}

/// Every file of a package directory (`manifest.json`, `tensors.h5`, `summary.md`), by name, with its bytes:
/// what "byte-identical packages" compares.
func packageFiles(_ package: String) throws -> [String: Data] {
    let names = try FileManager.default.contentsOfDirectory(atPath: package)
    return try Dictionary(
        uniqueKeysWithValues: names.map {
            ($0, try Data(contentsOf: URL(fileURLWithPath: package).appendingPathComponent($0)))
        })
}
