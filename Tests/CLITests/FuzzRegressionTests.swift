import Foundation
import PTQKit
import Testing

/// The libFuzzer targets' bodies (Fuzz/Sources/*/…Fuzzer.swift, compiled here through symbolic links in
/// Tests/CLITests/Fuzz/) fed every committed seed and crasher in the normal suite, without sanitizers:
/// a crasher that traps again fails (crashes) the test run. See Fuzz/run.sh and `make fuzz`.
@Suite struct FuzzRegressionTests {
    /// Every file under `Fuzz/<directory>/` (recursively), sorted.
    static func inputs(_ directory: String) -> [URL] {
        let root = PTQProcess.repository.appendingPathComponent("Fuzz/\(directory)")
        let found =
            FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true } ?? []
        return found.sorted { $0.path < $1.path }
    }

    @Test func configTargetSurvivesSeedsAndCrashers() throws {
        let files = Self.inputs("Corpus/config") + Self.inputs("Crashers/FuzzConfig")
        #expect(files.count >= 6)
        for file in files { ConfigFuzzer.run(try Data(contentsOf: file)) }
    }

    @Test func packageFilesTargetSurvivesSeedsAndCrashers() throws {
        let files = Self.inputs("Corpus/package-files") + Self.inputs("Crashers/FuzzPackageFiles")
        #expect(files.count >= 5)
        for file in files { PackageFilesFuzzer.run(try Data(contentsOf: file)) }
    }

    /// The seeds must exercise the accepting paths too, or the fuzzers would start from refusals only.
    @Test func seedsAreAcceptedByTheReaders() throws {
        for file in Self.inputs("Corpus/config") {
            let text = try #require(String(data: try Data(contentsOf: file), encoding: .utf8))
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                try CalibrationConfig.parse(
                    text, file: file.path, observerNames: ObserverRegistry.builtIn.names + ["mean-std"])
            }
        }
        for file in Self.inputs("Corpus/package-files") {
            let data = try Data(contentsOf: file)
            let body = Data(data.dropFirst())
            switch data.first {
            case 0: #expect(ManifestSchema.violations(ofJSON: body).isEmpty, "\(file.lastPathComponent)")
            case 1: #expect(throws: Never.self) { try StatisticsFile.decode(body, path: file.path) }
            default: break
            }
        }
    }
}
