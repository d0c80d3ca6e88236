import ArgumentParser
import Foundation
import PTQKit
import PackageReport

/// `ptq report PKG -o report.html [--evaluation EVAL.json]`: one self-contained HTML page describing a
/// package (plots, tables, inputs), written atomically.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report of a model package.",
        discussion: """
            One HTML file with inline SVG and CSS, no network access, readable without JavaScript: the inputs, \
            configuration and fingerprints; a per-layer table (sortable by SQNR, clipping and bits); per \
            activation a histogram with the observed and chosen ranges, the clipped mass and the candidates \
            auto compared; per weight the per-channel ranges with outlier channels marked and SQNR bars. It \
            needs nothing but the package (packages written before activation histograms were recorded are \
            reported without the activation plots). --evaluation adds the ranked per-layer output SQNR of \
            `ptq evaluate PKG --activations HELDOUT.h5 --json` saved to a file. The output is written beside \
            its final path and renamed into place when complete. Exit codes: 0 success, 64 usage, 65 damaged \
            package or an evaluation file that is not a version-1 ptqkit-evaluation, 66 missing package or \
            evaluation file, 73 output exists (without --force, or not a report with it) or cannot be written, \
            70 internal error, 130/143 interrupted.
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String

    @Option(help: "The JSON of `ptq evaluate PKG --activations HELDOUT.h5 --json`: adds the output SQNR per layer.")
    var evaluation: String?

    @Flag(help: "Replace an existing report written by ptq report.")
    var force = false

    func run() throws {
        try CommandPaths.requireInputs([package, evaluation], command: "report")
        try CommandPaths.requireOutputDirectory(output, command: "report")
        let start = Date()
        let html: String
        do throws(ReportError) {
            let loaded = try evaluation.map { (path) throws(ReportError) in try Evaluation(contentsOf: path) }
            html = try PackageReport.render(package: package, evaluation: loaded)
        } catch {
            FileHandle.standardError.write(Data("ptq report: \(error)\n".utf8))
            throw Self.exitCode(for: error)
        }
        do throws(PackageError) {
            let writer = try AtomicFileWriter(
                destination: output,
                rule: ReplacementRule(
                    force: force, outputKind: "report written by ptq report",
                    inputs: [package] + [evaluation].compactMap { $0 },
                    whyNotOwned: PackageReport.whyNotAReport))
            try writer.create { (path) throws(PackageError) in
                guard FileManager.default.createFile(atPath: path, contents: Data(html.utf8)) else {
                    throw .cannotWrite(path: output, reason: "cannot create \(path)")
                }
            }
            try writer.commit()
        } catch {
            FileHandle.standardError.write(Data("ptq report: \(error)\n".utf8))
            throw ExitCodes.code(for: error)
        }
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(
            Data(
                "ptq report: wrote \(output) (\(html.utf8.count) bytes) in \(String(format: "%.2f", seconds)) s\n".utf8)
        )
    }

    /// 66 for an unreadable evaluation file, 65 for one that is not a version-1 evaluation; package failures
    /// as every command maps them.
    static func exitCode(for error: ReportError) -> ExitCode {
        switch error {
        case .package(let inner): ExitCodes.code(for: inner)
        case .evaluationUnreadable: ExitCodes.noInput
        case .invalidEvaluation: ExitCodes.data
        }
    }
}
