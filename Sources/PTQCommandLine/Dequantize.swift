import ArgumentParser
import Foundation
import PTQKit

/// `ptq dequantize PKG -o restored.h5`: every tensor of a package as float32 under its original name.
struct Dequantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a package's tensors, dequantized to float32, under their original dataset names.",
        discussion: """
            The output is written beside its final path and renamed into place when complete. \
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
