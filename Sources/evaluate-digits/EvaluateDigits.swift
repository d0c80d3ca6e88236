import ArgumentParser
import Foundation
import PTQKit

/// `evaluate-digits PKG`: the held-out accuracy of the bundled digits network with a package's quantized
/// weights and activations, next to its float accuracy (the Swift twin of `Calibration/evaluate_package.py`,
/// so `make demo` needs no Python).
@main
struct EvaluateDigits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-digits",
        abstract: "Held-out accuracy of the bundled digits network with a package, next to float.",
        discussion: """
            Reads the package's tensors dequantized (as `ptq dequantize` writes them) and runs the network \
            (Calibration/README.md) on the held-out split; each layer whose manifest record has activation \
            parameters gets its input fake-quantized with them, x' = s·(clip(round(x/s) + z, qmin, qmax) − z), \
            the integer inference a W8A8 runtime performs, simulated in float. Prints the same figures as \
            Calibration/evaluate_package.py (with --json the same keys). Exit codes: 0 success, 65 unusable \
            input, 66 missing input.
            """)

    @Argument(help: "The package directory (from `ptq calibrate` on Calibration/weights.h5).")
    var package: String

    @Option(help: "The float weights.")
    var weights = "Calibration/weights.h5"

    @Option(help: "The held-out split (/x float32 [N, 64], /y int64 [N]).")
    var heldout = "Calibration/heldout.h5"

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        for path in [package, weights, heldout] where !FileManager.default.fileExists(atPath: path) {
            FileHandle.standardError.write(Data("evaluate-digits: \(path): no such file or directory\n".utf8))
            throw ExitCode(66)
        }
        do {
            let result = try PackageEvaluation(package: package, weights: weights, heldout: heldout)
            print(json ? result.json.rendered() : result.text)
        } catch {
            FileHandle.standardError.write(Data("evaluate-digits: \(error)\n".utf8))
            throw ExitCode(65)
        }
    }
}
