import ArgumentParser
import Foundation
import PTQKit

/// `ptq verify PKG [--against WEIGHTS.h5]`: checks a model package (schema, hashes, codes, parameters,
/// and with the original weights the recorded error metrics).
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a model package: manifest schema, input hashes, code ranges, parameters, error metrics.",
        discussion: """
            Checks every invariant of docs/package-format.md: schema, input hashes, summary.md, the SHA-256 \
            of tensors.h5 and its datasets and attributes against the manifest, code ranges, scales (finite, \
            > 0, no reachable code dequantizing to Inf), zero points (0 for signed symmetric grids), \
            activation parameters re-derived from their ranges. \
            Exit codes: 0 the package passed, 65 it is damaged or inconsistent (each problem is printed on \
            stderr, naming the package, layer or dataset and the invariant), 66 missing package or weights \
            file, 64 usage, 70 internal error.
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(help: "The original weights file: recompute every tensor's error metrics against it.")
    var against: String?

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func run() throws {
        try CommandPaths.requireInputs([package, against], command: "verify")
        let report: PackageVerifier.Report
        do { report = try PackageVerifier.verify(path: package, against: against) } catch {
            FileHandle.standardError.write(Data("ptq verify: \(error)\n".utf8))
            throw ExitCodes.code(for: error)
        }
        for warning in report.warnings {
            FileHandle.standardError.write(Data("ptq verify: warning: \(warning)\n".utf8))
        }
        for problem in report.problems { FileHandle.standardError.write(Data("ptq verify: \(problem)\n".utf8)) }
        if json {
            print(
                JSONValue.object([
                    ("package", .string(package)), ("passed", .bool(report.passed)), ("checks", .int(report.checks)),
                    ("tensors", .int(report.tensorsChecked)), ("problems", .array(report.problems.map { .string($0) })),
                    ("warnings", .array(report.warnings.map { .string($0) })),
                ]).rendered())
        } else {
            print(
                """
                \(package): \(report.passed ? "OK" : "FAILED") — \(report.checks) checks on \(report.tensorsChecked) \
                tensors
                """
                    + (against.map { ", metrics recomputed against \($0)" } ?? "")
                    + (report.problems.isEmpty ? "" : ", \(report.problems.count) problems"))
        }
        if !report.passed { throw ExitCodes.data }
    }
}
