import ArgumentParser
import Foundation
import PTQKit
import PackageExport

/// `ptq export PKG --format F -o OUT`: a package's activation ranges as a deployment tool reads them.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a package's calibration results in a format a deployment tool reads.",
        discussion: """
            Formats (docs/exports.md): onnxruntime (the JSON calibration cache of \
            quantize_static(..., calibration_cache_path=OUT, calibrate_method=CalibrationMethod.MinMax)), \
            onnxruntime-table (a directory: calibration.json, calibration.flatbuffers, calibration.cache), \
            tensorrt (an INT8 calibration cache; needs --tensorrt-version and symmetric int8 activations), \
            aimet (AIMET encodings, --aimet-version 0.6.1, 1.0.0 or 2.0.0, with the quantized tensors too), \
            compressed-tensors (a directory: model.safetensors and config.json with vLLM's \
            quantization_config; int8 W8A8 or 4-bit W4A16 weights). \
            Every layer with activation parameters is exported under its layer name (a quantized tensor \
            under its dataset path with / as ., /fc1/weight -> fc1.weight), or the name --names gives it \
            (a JSON or YAML mapping of those names to the target's tensor names); what the map does not \
            name is listed on stderr. The output is written beside its final path and renamed into place when \
            complete. Exit codes: 0 success, 64 usage, 65 damaged package, a setting the format cannot \
            express (the message names the layer) or a bad names map, 66 missing package or names map, \
            73 output exists (without --force, or not an output of the same format with it) or cannot be \
            written, 70 internal error, 130/143 interrupted.
            """
    )

    @Argument(help: "The package directory.")
    var package: String

    @Option(
        name: .customLong("format"),
        help: "The output format: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var formatName: String

    @Option(name: .shortAndLong, help: "The file (a directory for onnxruntime-table) to write.")
    var output: String

    @Option(help: "A JSON or YAML mapping of PTQKit layer names to the target's tensor names.")
    var names: String?

    @Option(help: "The TensorRT version in the cache header, e.g. 8601 for 8.6.1 (required for tensorrt).")
    var tensorrtVersion: String?

    @Option(help: "The AIMET encodings version for aimet: 0.6.1, 1.0.0 (default) or 2.0.0.")
    var aimetVersion: String?

    @Flag(help: "Replace an existing output of the same format written by ptq export.")
    var force = false

    /// The `--format` value (checked by ``validate()``).
    var format: ExportFormat { ExportFormat(rawValue: formatName) ?? .onnxruntime }

    func validate() throws {
        guard ExportFormat(rawValue: formatName) != nil else {
            throw ValidationError(
                "--format: '\(formatName)' is not one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let aimetVersion, AIMETVersion(rawValue: aimetVersion) == nil {
            throw ValidationError(
                "--aimet-version: '\(aimetVersion)' is not one of "
                    + AIMETVersion.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        do throws(ExportError) {
            let map = try names.map { (path) throws(ExportError) in try NameMap(contentsOf: path) }
            let report = try PackageExporter.export(
                package: package, format: format, to: output,
                options: .init(
                    names: map, tensorRTVersion: tensorrtVersion,
                    aimetVersion: aimetVersion.flatMap(AIMETVersion.init(rawValue:)), force: force))
            let stderr = FileHandle.standardError
            if !report.unmapped.isEmpty {
                stderr.write(
                    Data(
                        ("ptq export: not in \(names ?? "--names"), exported under their default names: "
                            + report.unmapped.joined(separator: ", ") + "\n").utf8))
            }
            if !report.withoutActivation.isEmpty {
                stderr.write(
                    Data(
                        ("ptq export: \(format == .ggufImatrix ? "no input moments" : "no activation parameters"), "
                            + "not exported: "
                            + report.withoutActivation.joined(separator: ", ") + "\n").utf8))
            }
            let parameters = report.parameters.isEmpty ? "" : " and \(report.parameters.count) tensor encodings"
            for note in report.notes { stderr.write(Data("ptq export: note: \(note)\n".utf8)) }
            let what =
                format == .ggufImatrix
                ? "\(report.importanceEntries.count) importance vectors" : "\(report.ranges.count) ranges\(parameters)"
            stderr.write(Data("ptq export: wrote \(what) (\(format.rawValue)) to \(output)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("ptq export: \(error)\n".utf8))
            throw Self.exitCode(for: error)
        }
    }

    /// 65 for what the format cannot express or a bad names map, 66 for a missing names map, 64 for a bad
    /// option value; package and output failures as every command maps them.
    static func exitCode(for error: ExportError) -> ExitCode {
        switch error {
        case .package(let inner): ExitCodes.code(for: inner)
        case .unsupported, .unsupportedTensor, .nothingToExport, .invalidNames: ExitCodes.data
        case .namesFileUnreadable: ExitCodes.noInput
        case .invalidOption: ExitCodes.usage
        }
    }
}
