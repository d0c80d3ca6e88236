import Foundation
import TestSupport
import Testing

/// The Makefile's user-facing targets (issue 18): `make help` lists every target with a description, and
/// `make install PREFIX=…` puts an executable `ptq` and its bash/zsh/fish completions under PREFIX.
@Suite struct MakefileTests {
    static let make = ["/usr/bin/make", "/usr/local/bin/make"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Every target the Makefile defines (`name:` at the start of a line, not a `:=` variable).
    static func targets() throws -> [String] {
        let text = try String(contentsOf: TestPaths.inRepository("Makefile"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let match = line.firstMatch(of: #/^([a-z][a-z0-9_-]*):(?!=)/#) else { return nil }
            return String(match.output.1)
        }
    }

    @Test func helpListsEveryTargetWithADescription() throws {
        let make = try #require(Self.make, "make is not installed")
        let result = try PTQProcess.run(program: make, ["-s", "help"])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = Dictionary(
            result.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                guard words.count == 2 else { return nil }
                return (String(words[0]), words[1].trimmingCharacters(in: .whitespaces))
            }
        ) { first, _ in first }
        let targets = try Self.targets()
        #expect(targets.count >= 15, "\(targets)")
        for target in targets {
            #expect(!(listed[target] ?? "").isEmpty, "make help does not describe \(target)")
        }
        #expect(Set(listed.keys) == Set(targets))
    }

    @Test func installPutsPtqAndCompletionsUnderPrefix() throws {
        let make = try #require(Self.make, "make is not installed")
        let ptq = try #require(PTQProcess.executable, "ptq was not built")
        let prefix = try TestPaths.temporaryDirectory(prefix: "ptq-install")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let result = try PTQProcess.run(
            program: make, ["-s", "install", "PREFIX=\(prefix.path)", "PTQ_BIN=\(ptq.path)"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")

        let installed = prefix.appendingPathComponent("bin/ptq").path
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        let version = try PTQProcess.run(program: installed, ["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty, "\(version.stderr)")
        let completions = [
            ("share/bash-completion/completions/ptq", "-F _ptq ptq"),
            ("share/zsh/site-functions/_ptq", "#compdef ptq"),
            ("share/fish/vendor_completions.d/ptq.fish", "complete -c 'ptq'"),
        ]
        for (path, marker) in completions {
            let text = try String(contentsOf: prefix.appendingPathComponent(path), encoding: .utf8)
            #expect(text.contains(marker), "\(path)")
            // Every subcommand is completed.
            for command in ["calibrate", "observe", "merge", "verify", "dequantize", "inspect"] {
                #expect(text.contains(command), "\(path): \(command)")
            }
        }
    }
}
