import ArgumentParser
import Foundation
import PTQKit
import PackageEvaluation

/// `ptq evaluate PKG --activations HELDOUT.h5 [--json] [-o FILE]`: each linear layer's output SQNR on
/// held-out inputs, weights only and with the package's activation fake-quant, ranked worst first.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure each linear layer's output SQNR on held-out activations, worst first.",
        discussion: """
            For every layer with a 2-D weight ([out, in], or a Keras Dense kernel [in, out] by the package's \
            layout) whose input is in the held-out file (the dataset its activation record names, else \
            /LAYER/input or /LAYER), streams the rows in batches and reports \
            SQNR = 10·log10(‖XWᵀ‖² / ‖XWᵀ − X̂Ŵᵀ‖²) in dB (bias excluded): weights only (X̂ = X) and with the \
            package's activation fake-quant (per tensor or per channel, integer or minifloat, as recorded). \
            W is the float weight from the weights file the package records (or --weights), Ŵ the tensor as \
            `ptq dequantize` restores it. Other layers (convolutions, embeddings, layers without an input \
            dataset) are listed as skipped with the reason. Rows holding NaN or ±Inf are left out and counted. \
            With -o the output is written beside its final path and renamed into place when complete. \
            Exit codes: 0 success, 64 usage, 65 unusable input (a held-out dataset that does not fit its \
            layer, a damaged package, a weights file that is not the package's), 66 missing package, \
            weights or held-out file, or no layer to measure, 73 output exists (without --force) or cannot \
            be created, 74 libhdf5 read failure, 70 internal error.
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(help: "The held-out activation file: the inputs of the layers, named as for ptq calibrate.")
    var activations: String

    @Option(help: "The float weights (default: the weights file the package records, its path as given then).")
    var weights: String?

    @Flag(help: "Print the result as JSON (format ptqkit-evaluation, version 1).")
    var json = false

    @Option(name: .shortAndLong, help: "Write the table (or the JSON) to this file instead of stdout.")
    var output: String?

    @Flag(help: "Replace an existing output file written by ptq evaluate.")
    var force = false

    @Option(help: "Bytes of Float32 per streamed batch of held-out rows.")
    var batchBytes = 8 << 20

    func validate() throws {
        guard batchBytes > 0 else { throw ValidationError("--batch-bytes must be positive") }
        if force, output == nil { throw ValidationError("--force needs -o/--output") }
    }

    func run() throws {
        try CommandPaths.requireInputs([package, activations, weights], command: "evaluate")
        if let output { try CommandPaths.requireOutputDirectory(output, command: "evaluate") }
        do {
            let writer = try output.map { (path) throws(PackageError) in
                try AtomicFileWriter(destination: path, rule: Self.replacementRule(force: force, inputs: inputs))
            }
            let report = try PackageEvaluator.evaluate(
                package: package, activations: activations,
                options: PackageEvaluator.Options(weights: weights, batchBytes: batchBytes))
            let text = (json ? report.json.rendered() : report.text) + "\n"
            guard let writer, let output else {
                print(text, terminator: "")
                return
            }
            try writer.create { (path) throws(PackageError) in
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                    throw .cannotWrite(path: output, reason: PackageError.reason(of: error))
                }
            }
            try writer.commit()
            FileHandle.standardError.write(
                Data("ptq evaluate: wrote \(report.layers.count) layers to \(output)\n".utf8))
        } catch let error as EvaluationError {
            FileHandle.standardError.write(Data("ptq evaluate: \(error)\n".utf8))
            if let code = error.exitCode { throw ExitCode(code) }
            throw error.underlying.map(ExitCodes.code(for:)) ?? ExitCodes.software
        } catch {
            FileHandle.standardError.write(Data("ptq evaluate: \(error)\n".utf8))
            throw ExitCodes.code(for: error)
        }
    }

    /// The files this run reads, which `-o` never replaces.
    var inputs: [String] {
        [activations, "\(package)/manifest.json", "\(package)/tensors.h5"] + [weights].compactMap { $0 }
    }

    /// With `force`, only a file `ptq evaluate` wrote is replaced: a JSON document whose `format` is
    /// `ptqkit-evaluation`, or a table whose first line names the output SQNR.
    static func replacementRule(force: Bool, inputs: [String]) -> ReplacementRule {
        ReplacementRule(force: force, outputKind: "output of ptq evaluate", inputs: inputs) { path in
            guard let handle = FileHandle(forReadingAtPath: path) else { return "it cannot be read" }
            defer { try? handle.close() }
            let head = String(decoding: (try? handle.read(upToCount: 512)) ?? Data(), as: UTF8.self)
            let ours =
                head.contains("\"format\": \"\(PackageEvaluationReport.format)\"")
                || head.split(separator: "\n").first?.contains("output SQNR 10·log10") == true
            return ours ? nil : "it is not a table or JSON document written by ptq evaluate"
        }
    }
}
