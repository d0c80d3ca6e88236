import ArgumentParser
import Foundation
import PTQKit

/// `ptq dequantize PKG -o restored.h5`: the weights file a package was made from, its tensors dequantized.
struct Dequantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the weights file a package was made from, its tensors dequantized.",
        discussion: """
            Every group, attribute and unquantized dataset of the original comes from the package's \
            skeleton.h5; each tensor is written dequantized in its original dataset and type (a package \
            without a skeleton gives the tensors only, as float32). The output is written beside its final \
            path under exactly the name given and renamed into place when complete. \
            Exit codes: 0 success, 64 usage, 65 damaged package, 66 missing package, 73 output exists \
            (without --force, or not replaceable with it) or cannot be created, 70 internal error, 130/143 \
            interrupted by SIGINT/SIGTERM (the partial file is removed).
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(name: .shortAndLong, help: "The HDF5 file to write.")
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    func run() throws {
        try CommandPaths.requireInputs([package], command: "dequantize")
        try CommandPaths.requireOutputDirectory(output, command: "dequantize")
        do {
            let count = try PackageRestorer.restore(package: package, to: output, force: force)
            FileHandle.standardError.write(Data("ptq dequantize: wrote \(count) tensors to \(output)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("ptq dequantize: \(error)\n".utf8))
            throw ExitCodes.code(for: error)
        }
    }
}
