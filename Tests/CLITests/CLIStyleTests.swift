import Foundation
import TestSupport
import Testing

/// One style across the subcommands (issue 18): `-o/--output` wherever a command writes, a missing input
/// is exit 66 with one wording, a missing output directory is named, messages speak of files and
/// datasets (never libhdf5 functions), help texts say each thing once.
@Suite struct CLIStyleTests {
    static let weights = "Calibration/weights.h5"
    static let activations = "Calibration/activations.h5"
    static let package = "Tests/Fixtures/package-v1/w8a8"

    @Test func everyWritingCommandTakesDashO() throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-style-o")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = { (name: String) in scratch.appendingPathComponent(name).path }
        let runs: [[String]] = [
            ["calibrate", "--weights", Self.weights, "-o", out("pkg"), "--quiet"],
            ["dequantize", Self.package, "-o", out("restored.h5")],
            ["observe", "--activations", Self.activations, "-o", out("s.ptqstats"), "--quiet"],
            ["merge", out("s.ptqstats"), "-o", out("all.ptqstats")],
        ]
        for arguments in runs {
            let result = try PTQProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        for name in ["pkg/manifest.json", "restored.h5", "s.ptqstats", "all.ptqstats"] {
            #expect(FileManager.default.fileExists(atPath: out(name)), "\(name)")
        }
        for command in ["calibrate", "dequantize", "observe", "merge"] {
            let help = try PTQProcess.run([command, "--help"]).stdout
            #expect(help.contains("-o, --output"), "\(command) --help")
        }
    }

    @Test(arguments: [
        ("calibrate", ["calibrate", "--weights", "missing.h5", "-o", "/tmp/never"], "missing.h5"),
        (
            "calibrate", ["calibrate", "--weights", weights, "--config", "missing.yaml", "-o", "/tmp/never"],
            "missing.yaml"
        ),
        ("calibrate", ["calibrate", "--stats", "missing.ptqstats", "-o", "/tmp/never"], "missing.ptqstats"),
        ("calibrate", ["calibrate", "--activations", "missing.h5", "-o", "/tmp/never"], "missing.h5"),
        ("observe", ["observe", "--activations", "missing.h5", "-o", "/tmp/never.ptqstats"], "missing.h5"),
        (
            "observe", ["observe", "--activations", activations, "--config", "missing.json", "-o", "/tmp/n"],
            "missing.json"
        ),
        ("merge", ["merge", "missing.ptqstats", "-o", "/tmp/never.ptqstats"], "missing.ptqstats"),
        ("verify", ["verify", "missing-pkg"], "missing-pkg"),
        ("verify", ["verify", package, "--against", "missing.h5"], "missing.h5"),
        ("dequantize", ["dequantize", "missing-pkg", "-o", "/tmp/never.h5"], "missing-pkg"),
        ("inspect", ["inspect", "missing.h5"], "missing.h5"),
    ])
    func missingInputIsExit66WithOneWording(command: String, arguments: [String], missing: String) throws {
        let result = try PTQProcess.run(arguments)
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.hasSuffix("ptq \(command): \(missing): no such file or directory\n"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never"))
    }

    @Test func missingOutputDirectoryIsNamedBeforeAnyWork() throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-style-parent")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stats = scratch.appendingPathComponent("stats").path
        let runs: [(String, [String], String)] = [
            ("observe", ["observe", "--activations", Self.activations, "-o", "\(stats)/s-0.ptqstats"], "s-0.ptqstats"),
            ("calibrate", ["calibrate", "--weights", Self.weights, "-o", "\(stats)/pkg"], "pkg"),
            ("dequantize", ["dequantize", Self.package, "-o", "\(stats)/r.h5"], "r.h5"),
        ]
        for (command, arguments, name) in runs {
            let result = try PTQProcess.run(arguments)
            #expect(result.status == 73, "\(result.stderr)")
            #expect(
                result.stderr
                    == "ptq \(command): \(stats)/\(name): cannot create the output: directory \(stats) does not exist\n"
            )
        }
        // A file where the directory should be is named as well.
        try Data().write(to: URL(fileURLWithPath: stats))
        let result = try PTQProcess.run(["observe", "--activations", Self.activations, "-o", "\(stats)/s.ptqstats"])
        #expect(result.status == 73)
        #expect(result.stderr.hasSuffix("cannot create the output: \(stats) is not a directory\n"), "\(result.stderr)")
    }

    @Test(arguments: ["calibrate", "observe"])
    func everyConfigurationErrorIsReportedInOneRun(command: String) throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-style-config")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("bad.yaml").path
        try Data("weights:\n  bits: 99\n  scheme: affine\nactivations:\n  colour: red\n".utf8)
            .write(to: URL(fileURLWithPath: config))
        let output = scratch.appendingPathComponent("out").path
        let input = command == "calibrate" ? ["--weights", Self.weights] : ["--activations", Self.activations]
        let result = try PTQProcess.run([command] + input + ["--config", config, "-o", output, "--quiet"])
        #expect(result.status == 78, "\(result.stderr)")
        // One line per error, each naming the file, the line and the key (the allowed keys are left out here:
        // they grow with the configuration).
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.stderr)")
        let expected = [
            "ptq \(command): \(config):2:9: weights.bits: invalid value '99' (allowed: 2...16)",
            "\(config):3:11: weights.scheme: invalid value 'affine'", "\(config):5:11: activations.colour: unknown key",
            "\(config): 3 errors",
        ]
        for (line, prefix) in zip(lines, expected) { #expect(line.hasPrefix(prefix), "\(line)") }
    }

    @Test func damagedInputMessagesNameNoLibraryFunction() throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-style-hdf5")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let truncated = scratch.appendingPathComponent("truncated.h5").path
        let bytes = try Data(contentsOf: TestPaths.inRepository(Self.weights))
        try bytes.prefix(4096).write(to: URL(fileURLWithPath: truncated))
        for arguments in [
            ["inspect", truncated],
            ["calibrate", "--weights", truncated, "-o", scratch.appendingPathComponent("p").path],
        ] {
            let result = try PTQProcess.run(arguments)
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains(truncated), "\(result.stderr)")
            #expect(result.stderr.range(of: #"H5[A-Z][a-z_]"#, options: .regularExpression) == nil, "\(result.stderr)")
        }
    }

    @Test func observeHelpSaysItsDefaultOnceAndNothingOfWeights() throws {
        let help = try PTQProcess.run(["observe", "--help"]).stdout
        #expect(help.components(separatedBy: "0/1").count - 1 == 2, "\(help)")  // the text and `(default: 0/1)`
        #expect(help.contains("(default: 0/1)"))
        #expect(help.range(of: "weight", options: .caseInsensitive) == nil, "\(help)")
        // The weight bound moved to the command that reads weights.
        let calibrate = try PTQProcess.run(["calibrate", "--help"]).stdout
        #expect(
            calibrate.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("Weights are read whole"))
    }
}
