import Foundation
import PackageFormat
import PackageWriter

/// `ptq export PKG --format F -o OUT`: a package's calibration results in a format a deployment tool
/// reads (see ``ExportFormat`` and `docs/exports.md`). Reads only the manifest (`PackageReader`); never
/// calibrates.
///
/// The output is written beside its final path and renamed into place when complete (``AtomicFileWriter``,
/// ``AtomicDirectoryWriter``); an existing output is replaced only with `force`, and only if it is an output
/// of the same format `ptq export` wrote (for TensorRT caches, which have no room for a mark: any cache).
/// A layer whose settings the target cannot express makes the whole export fail
/// (``ExportError/unsupported(layer:format:reason:)``) before anything is written.
public enum PackageExporter {
    /// What may be exported and how.
    public struct Options: Sendable {
        /// PTQKit layer name → target tensor name; `nil` keeps the layer names.
        public var names: NameMap?
        /// The TensorRT version in the cache header (`8601`, `100300`, …): TensorRT ignores a cache made
        /// for another version, so it has no default. Required for ``ExportFormat/tensorrt``.
        public var tensorRTVersion: String?
        /// The AIMET encodings version (``ExportFormat/aimet``); AIMET's default, 1.0.0, when `nil`.
        public var aimetVersion: AIMETVersion?
        /// Replace an existing output of the same kind.
        public var force: Bool

        /// Creates options.
        public init(
            names: NameMap? = nil, tensorRTVersion: String? = nil, aimetVersion: AIMETVersion? = nil,
            force: Bool = false
        ) {
            self.names = names
            self.tensorRTVersion = tensorRTVersion
            self.aimetVersion = aimetVersion
            self.force = force
        }
    }

    /// Exports the package at `package` to `output` in `format`.
    /// - Throws: ``ExportError`` (nothing is written on failure; an existing output is kept).
    @discardableResult
    public static func export(
        package: String, format: ExportFormat, to output: String, options: Options = Options()
    ) throws(ExportError) -> ExportReport {
        if format == .tensorrt {
            guard let version = options.tensorRTVersion else {
                throw .invalidOption(
                    name: "--tensorrt-version",
                    reason: "required for --format tensorrt (TensorRT ignores a cache whose header names "
                        + "another version), e.g. 8601 for 8.6.1 or 100300 for 10.3.0")
            }
            guard !version.isEmpty, version.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalidOption(name: "--tensorrt-version", reason: "'\(version)' is not a number like 8601")
            }
        }
        if options.tensorRTVersion != nil, format != .tensorrt {
            throw .invalidOption(name: "--tensorrt-version", reason: "only applies to --format tensorrt")
        }
        if options.aimetVersion != nil, format != .aimet {
            throw .invalidOption(name: "--aimet-version", reason: "only applies to --format aimet")
        }
        let reader: PackageReader
        do { reader = try PackageReader(path: package) } catch { throw .package(error) }
        var report: ExportReport
        var contents: [Data] = []
        if format == .compressedTensors {
            let built = try CompressedTensorsExport.build(reader, package: package, names: options.names)
            (report, contents) = (built.report, [built.config, built.safetensors])
        } else if format == .ggufImatrix {
            let built = try GGUFImatrixExport.build(reader, package: package, names: options.names)
            (report, contents) = (built.report, [built.file])
        } else {
            report = try plan(reader, package: package, format: format, options: options)
        }
        report.output = output
        var inputs = PackageBuilder.packageFiles.map { "\(package)/\($0)" }
        if let path = options.names?.path { inputs.append(path) }
        do throws(PackageError) {
            try write(
                report, package: package, format: format, options: options, inputs: inputs,
                ptqkitVersion: reader.manifest.ptqkitVersion, contents: contents)
        } catch { throw .package(error) }
        return report
    }

    /// The ranges (and for AIMET the quantized tensors) to write and what is left out, checked against
    /// what `format` can express.
    static func plan(_ reader: borrowing PackageReader, package: String, format: ExportFormat, options: Options)
        throws(ExportError) -> ExportReport
    {
        let manifest = reader.manifest
        let calibrated = manifest.layers.filter { $0.activation != nil }
        let withoutActivation = manifest.layers.filter { $0.activation == nil }.map(\.name)
        // AIMET derives bias encodings from the input and weight scales (its bias quantizers are off by
        // default, and a loaded bias encoding stays unused), so biases are left out, as AIMET's own export does.
        let quantized = format == .aimet ? manifest.tensors.filter { $0.encoding != .float32 } : []
        let tensors = quantized.filter { $0.role != "bias" }
        let biases = quantized.filter { $0.role == "bias" }.map(\.dataset)
        let unquantized = format == .aimet ? manifest.tensors.filter { $0.encoding == .float32 }.map(\.dataset) : []
        guard !calibrated.isEmpty || !tensors.isEmpty else {
            throw .nothingToExport(
                package: package, format: format,
                reason: "no layer has activation parameters (calibrate with activations to export ranges)")
        }
        var sources = calibrated.map { (source: $0.name, fallback: $0.name) }
        sources += tensors.map { (source: $0.dataset, fallback: parameterName($0.dataset)) }
        var targetNames = sources.map(\.fallback)
        var unmapped: [String] = []
        if let names = options.names {
            (targetNames, unmapped) = try names.apply(
                to: sources, inert: Set(withoutActivation + unquantized + biases))
        }
        var ranges: [ExportedRange] = []
        var notes: [String] = []
        for (layer, name) in zip(calibrated, targetNames) {
            guard let record = layer.activation else { continue }
            let range = try ExportedRange(layer: layer.name, name: name, record: record, format: format)
            try check(range, format: format)
            if format == .onnxruntimeTable, range.lowest < -range.highest {
                notes.append(
                    "\(name): dynamic range \(range.absoluteMaximum) = |lowest| (ORT's writer would put "
                        + "max(highest, lowest) = \(range.highest) there)")
            }
            ranges.append(range)
        }
        var parameters: [AIMETEncoding] = []
        let version = options.aimetVersion ?? .v100
        for (record, name) in zip(tensors, targetNames.dropFirst(calibrated.count)) {
            parameters.append(try parameterEncoding(reader, record, name: name, version: version))
        }
        if !biases.isEmpty {
            notes.append(
                "biases left out (AIMET derives bias encodings from input and weight scales): "
                    + biases.joined(separator: ", "))
        }
        if !unquantized.isEmpty {
            notes.append("not quantized in the package, no encoding: \(unquantized.joined(separator: ", "))")
        }
        return ExportReport(
            format: format, output: "", ranges: ranges, parameters: parameters, unmapped: unmapped,
            withoutActivation: withoutActivation, notes: notes)
    }

    /// The name a quantized tensor gets without `--names`: its dataset path without the leading `/`, the
    /// other `/` as `.` (`/fc1/weight` → `fc1.weight`, PyTorch's and its ONNX exporter's initializer name).
    public static func parameterName(_ dataset: String) -> String {
        String(dataset.drop { $0 == "/" }).replacingOccurrences(of: "/", with: ".")
    }

    /// The AIMET encoding of a quantized tensor; refuses what AIMET `version` cannot express.
    static func parameterEncoding(
        _ reader: borrowing PackageReader, _ record: TensorRecord, name: String, version: AIMETVersion
    ) throws(ExportError) -> AIMETEncoding {
        func refuse(_ reason: String) -> ExportError {
            .unsupportedTensor(dataset: record.dataset, format: .aimet, reason: reason)
        }
        guard record.encoding == .affine, let q = record.quantization else {
            throw refuse("it is stored as \(record.encoding.rawValue) codes; AIMET encodings are integer grids")
        }
        let axis: Int?
        switch q.granularity {
        case "per-tensor": axis = nil
        case "per-channel":
            axis = q.axis
            if version != .v200, q.axis != 0 {
                throw refuse(
                    "AIMET \(version.rawValue) has no axis field (channels run along axis 0); it is per-channel along "
                        + "axis \(q.axis.map(String.init) ?? "?") (AIMET 2.0.0 records the axis)")
            }
        default:
            throw refuse(
                "it is \(q.granularity) (group size \(q.groupSize ?? 0)); ptq export writes per-tensor and "
                    + "per-channel AIMET encodings only")
        }
        guard (2...32).contains(q.bits) else {
            throw refuse("AIMET integer encodings have 2 to 32 bits, not \(q.bits)")
        }
        guard q.method?.inputScaleDataset == nil else {
            throw refuse(
                "its codes quantize W·diag(s) (method \(q.method?.name.rawValue ?? "")); AIMET has no input scale")
        }
        let stored: (scales: [Float], zeroPoints: [Int32])
        do {
            let (_, scales, zeroPoints) = try reader.storedParameters(of: record)
            stored = (scales, zeroPoints)
        } catch { throw .package(error) }
        return AIMETEncoding(
            source: record.dataset, name: name, bits: q.bits, signed: q.signed, symmetric: q.scheme == "symmetric",
            scales: stored.scales, zeroPoints: stored.zeroPoints.map(Int.init), axis: axis)
    }

    /// Refuses a range the target cannot carry; the message names what the target lacks.
    static func check(_ range: ExportedRange, format: ExportFormat) throws(ExportError) {
        let record = range.record
        func refuse(_ reason: String) -> ExportError {
            .unsupported(layer: range.layer, format: format, reason: reason)
        }
        guard range.hasIntegerCodes else {
            throw refuse("its activation format is \(record.format); the target carries integer ranges only")
        }
        guard range.lowest.isFinite, range.highest.isFinite, range.lowest <= range.highest else {
            throw refuse("its range [\(range.lowest), \(range.highest)] is not a finite interval")
        }
        switch format {
        case .onnxruntime:
            guard [4, 8, 16].contains(record.bits) else {
                throw refuse("ONNX Runtime quantizes activations to 4, 8 or 16 bits; the activation has \(record.bits)")
            }
        case .onnxruntimeTable:
            guard record.bits == 8 else {
                throw refuse("the table's readers (TensorRT, MIGraphX) use 8-bit activations; it has \(record.bits)")
            }
        case .compressedTensors, .ggufImatrix:
            return  // CompressedTensorsExport.addInput checks the activations it writes; imatrix writes none
        case .aimet:
            guard (2...32).contains(record.bits) else {
                throw refuse("AIMET integer encodings have 2 to 32 bits, not \(record.bits)")
            }
        case .tensorrt:
            guard record.bits == 8, record.signed else {
                throw refuse("TensorRT caches hold signed 8-bit ranges; the activation is \(record.format)")
            }
            guard record.scheme == "symmetric", range.zeroPoint == 0 else {
                throw refuse(
                    "TensorRT caches hold symmetric ranges (zero point 0) only; the activation is \(record.scheme) "
                        + "with range [\(range.lowest), \(range.highest)] and zero point \(range.zeroPoint)")
            }
            guard TensorRTCache.scale(amax: range.absoluteMaximum) > 0 else {
                throw refuse("its range is [\(range.lowest), \(range.highest)]; TensorRT needs a positive scale")
            }
        }
    }

    /// Writes the planned ranges atomically.
    static func write(
        _ report: ExportReport, package: String, format: ExportFormat, options: Options, inputs: [String],
        ptqkitVersion: String, contents prepared: [Data]
    ) throws(PackageError) {
        let output = report.output
        switch format {
        case .ggufImatrix:
            let rule = ReplacementRule(force: options.force, outputKind: format.outputKind, inputs: inputs) {
                GGUFFile.whyNotOwned($0)
            }
            let writer = try AtomicFileWriter(destination: output, rule: rule)
            try writer.create { (path) throws(PackageError) in
                try store(prepared.first ?? Data(), at: path, output: output)
            }
            try writer.commit()
        case .onnxruntime, .tensorrt, .aimet:
            let text: String
            let owned: @Sendable (String) -> String?
            switch format {
            case .onnxruntime:
                text = ONNXRuntimeCache.render(report.ranges, package: package, smoothQuantKey: true)
                owned = ONNXRuntimeCache.whyNotOwned
            case .tensorrt:
                text = TensorRTCache.render(report.ranges, version: options.tensorRTVersion ?? "")
                owned = TensorRTCache.whyNotOwned
            default:
                let activations = report.ranges.map { range in
                    AIMETEncoding(
                        source: range.layer, name: range.name, bits: range.record.bits, signed: range.record.signed,
                        symmetric: range.record.scheme == "symmetric", scales: [range.scale],
                        zeroPoints: [range.zeroPoint], axis: nil)
                }
                text = (options.aimetVersion ?? .v100).document(
                    activations: activations, parameters: report.parameters, ptqkitVersion: ptqkitVersion)
                owned = AIMETVersion.whyNotOwned
            }
            let rule = ReplacementRule(force: options.force, outputKind: format.outputKind, inputs: inputs) {
                owned($0)
            }
            let writer = try AtomicFileWriter(destination: output, rule: rule)
            try writer.create { (path) throws(PackageError) in
                try store(Data(text.utf8), at: path, output: output)
            }
            try writer.commit()
        case .onnxruntimeTable, .compressedTensors:
            let table = format == .onnxruntimeTable
            let rule = ReplacementRule(force: options.force, outputKind: format.outputKind, inputs: inputs) {
                table ? CalibrationTable.whyNotOwned($0) : CompressedTensorsExport.whyNotOwned($0)
            }
            let writer = try AtomicDirectoryWriter(destination: output, rule: rule)
            let contents: [Data] =
                table
                ? [
                    Data(ONNXRuntimeCache.render(report.ranges, package: package, smoothQuantKey: false).utf8),
                    Data(CalibrationTable.flatBuffer(report.ranges)),
                    Data(CalibrationTable.text(report.ranges).utf8),
                ] : prepared
            let names = table ? CalibrationTable.fileNames : CompressedTensorsExport.fileNames
            for (name, data) in zip(names, contents) {
                try store(data, at: writer.path(name), output: output)
            }
            try writer.commit()
        }
    }

    /// Writes `data` to the temporary `path`; a failure names the final `output`.
    static func store(_ data: Data, at path: String, output: String) throws(PackageError) {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw .cannotWrite(path: output, reason: PackageError.reason(of: error))
        }
    }
}
