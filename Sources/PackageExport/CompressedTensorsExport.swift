import Foundation
import PackageFormat

/// `ptq export --format compressed-tensors`: a directory with `model.safetensors` and `config.json` holding
/// the `quantization_config` vLLM's compressed-tensors loaders read (merge it into the model's own
/// `config.json`). One module per layer with a `weight` tensor `[out, in]` (PyTorch's Linear layout):
///
/// - 8-bit symmetric weights (vLLM's int8 kernels take no weight zero point), `format: int-quantized`: `M.weight` int8 codes `[out, in]`, `M.weight_scale`
///   float32 (`[1]` per tensor, `[out, 1]` per channel along axis 0, `[out, in/g]` per group along axis 1);
///   with int8 activation parameters also `M.input_scale` `[1]` and, when asymmetric, `M.input_zero_point`
///   int8 `[1]` (static, `strategy: tensor`). vLLM: W8A8 int8 (`compressed_tensors_w8a8_int8.py`).
/// - 4-bit weights, `format: pack-quantized`: `M.weight_packed` int32 `[out, ⌈in·4/32⌉]` (codes + 8,
///   element j of a row at bits 4·(j mod 8) of word j/8, as `compressed_tensors`' `pack_to_int32`),
///   `M.weight_scale`, `M.weight_shape` int64 `[out, in]`, and when asymmetric `M.weight_zero_point`
///   (int4 zero points packed the same way along the output dimension, `[⌈out/8⌉, in/g]`); activations stay 16-bit (vLLM
///   `compressed_tensors_wNa16.py`), so their ranges are not exported (noted).
/// - `M.bias` float32 (dequantized when the package quantized it); unquantized weights are written as
///   float32 and their modules listed in `ignore`.
///
/// Dequantization, as compressed-tensors' `dequantize`: w = scale · (q − zero_point), q and zero_point signed.
enum CompressedTensorsExport {
    /// File names inside the output directory.
    static let fileNames = ["config.json", "model.safetensors"]

    /// One exported module's weight arguments, activation arguments and format (its config group).
    struct Scheme: Hashable {
        var weights: PythonJSONValue
        var inputActivations: PythonJSONValue
        var format: String
    }

    /// The two files' contents and the report.
    static func build(
        _ reader: borrowing PackageReader, package: String, names: NameMap?
    ) throws(ExportError) -> (config: Data, safetensors: Data, report: ExportReport) {
        let manifest = reader.manifest
        let layers = manifest.layers.filter { layer in layer.tensors.contains { $0.role == "weight" } }
        guard !layers.isEmpty else {
            throw .nothingToExport(
                package: package, format: .compressedTensors, reason: "no layer has a tensor with the role weight")
        }
        let withoutWeight = manifest.layers.filter { layer in !layer.tensors.contains { $0.role == "weight" } }
        var moduleNames = layers.map(\.name)
        var unmapped: [String] = []
        if let names {
            (moduleNames, unmapped) = try names.apply(
                to: layers.map { (source: $0.name, fallback: $0.name) }, inert: Set(withoutWeight.map(\.name)))
        }
        var file = SafetensorsFile()
        file.metadata = ["format": "pt", ExportDirectory.markerKey: package]
        var groups: [(scheme: Scheme, targets: [String])] = []
        var ignore: [String] = []
        var ranges: [ExportedRange] = []
        var notes: [String] = []
        for (layer, module) in zip(layers, moduleNames) {
            guard let weight = layer.tensors.first(where: { $0.role == "weight" }) else { continue }
            if let bias = layer.tensors.first(where: { $0.role == "bias" }) {
                let values: [Float]
                do { values = try reader.dequantized(bias) } catch { throw .package(error) }
                file.add("\(module).bias", float32: values, shape: bias.originalShape)
            }
            guard weight.encoding == .affine else {
                if weight.encoding == .minifloat {
                    throw .unsupportedTensor(
                        dataset: weight.dataset, format: .compressedTensors,
                        reason: "it is stored as minifloat codes; ptq export writes int-quantized and pack-quantized")
                }
                let values: [Float]
                do { values = try reader.float32Values(of: weight) } catch { throw .package(error) }
                file.add("\(module).weight", float32: values, shape: weight.originalShape)
                ignore.append(module)
                continue
            }
            let scheme = try addWeight(reader, weight, module: module, to: &file)
            var inputs = PythonJSONValue.null
            if let activation = layer.activation {
                if scheme.format == "int-quantized" {
                    let range = try ExportedRange(
                        layer: layer.name, name: module, record: activation, format: .compressedTensors)
                    inputs = try addInput(range, to: &file)
                    ranges.append(range)
                } else {
                    notes.append("\(layer.name): activation range not exported (pack-quantized keeps 16-bit inputs)")
                }
            }
            let full = Scheme(weights: scheme.weights, inputActivations: inputs, format: scheme.format)
            if let index = groups.firstIndex(where: { $0.scheme == full }) {
                groups[index].targets.append(module)
            } else {
                groups.append((full, [module]))
            }
        }
        let formats = Set(groups.map(\.scheme.format))
        var configGroups: [String: PythonJSONValue] = [:]
        for (index, group) in groups.enumerated() {
            configGroups["group_\(index)"] = .object([
                "targets": .array(group.targets.map { .string($0) }), "weights": group.scheme.weights,
                "input_activations": group.scheme.inputActivations, "output_activations": .null,
                "format": .string(group.scheme.format),
            ])
        }
        let config = PythonJSONValue.object([
            "quantization_config": .object([
                "quant_method": .string("compressed-tensors"),
                "format": .string(formats.count == 1 ? formats.first ?? "int-quantized" : "mixed-precision"),
                "quantization_status": .string("compressed"), "config_groups": .object(configGroups),
                "ignore": .array(ignore.map { .string($0) }), "kv_cache_scheme": .null,
                "global_compression_ratio": .null,
            ]),
            ExportDirectory.markerKey: .string(package),
        ])
        if !withoutWeight.isEmpty {
            notes.append("layers without a weight, not exported: \(withoutWeight.map(\.name).joined(separator: ", "))")
        }
        let report = ExportReport(
            format: .compressedTensors, output: "", ranges: ranges, unmapped: unmapped, withoutActivation: [],
            notes: notes)
        return (Data((config.rendered() + "\n").utf8), file.encoded(), report)
    }

    /// Writes a quantized weight's tensors; returns its weight arguments and format.
    static func addWeight(
        _ reader: borrowing PackageReader, _ weight: TensorRecord, module: String, to file: inout SafetensorsFile
    ) throws(ExportError) -> Scheme {
        func refuse(_ reason: String) -> ExportError {
            .unsupportedTensor(dataset: weight.dataset, format: .compressedTensors, reason: reason)
        }
        guard let q = weight.quantization else { throw refuse("it has no quantization parameters") }
        guard weight.originalShape.count == 2 else {
            throw refuse("its shape is \(weight.originalShape); compressed-tensors Linear weights are [out, in]")
        }
        let (rows, columns) = (weight.originalShape[0], weight.originalShape[1])
        guard q.signed else {
            throw refuse("it is \(q.format); compressed-tensors integer weights are signed")
        }
        let symmetric = q.scheme == "symmetric"
        guard symmetric || q.bits == 4 else {
            throw refuse("it is asymmetric \(q.format); vLLM's 8-bit compressed-tensors kernels take symmetric weights")
        }
        guard q.bits == 8 || q.bits == 4 else {
            throw refuse("vLLM's compressed-tensors loaders take 4- or 8-bit integer weights, not \(q.bits)")
        }
        guard q.method?.inputScaleDataset == nil else {
            throw refuse(
                "its codes quantize W·diag(s) (method \(q.method?.name.rawValue ?? "")); compressed-tensors has no "
                    + "input scale")
        }
        let strategy: String
        let scaleShape: [Int]
        var groupSize = PythonJSONValue.null
        switch (q.granularity, q.axis) {
        case ("per-tensor", _): (strategy, scaleShape) = ("tensor", [1])
        case ("per-channel", 0): (strategy, scaleShape) = ("channel", [rows, 1])
        case ("per-group", 1):
            guard let size = q.groupSize, size > 0, columns % size == 0 else {
                throw refuse("its group size \(q.groupSize ?? 0) does not divide its \(columns) input features")
            }
            (strategy, scaleShape) = ("group", [rows, columns / size])
            groupSize = .int(size)
        default:
            throw refuse(
                "it is \(q.granularity) along axis \(q.axis.map(String.init) ?? "-"); compressed-tensors has per-tensor, "
                    + "per-output-channel (axis 0) and per-group along the input features (axis 1)")
        }
        let codes: [Int32]
        let stored: (scales: [Float], zeroPoints: [Int32])
        do {
            codes = try reader.codes(of: weight)
            let (_, scales, zeroPoints) = try reader.storedParameters(of: weight)
            stored = (scales, zeroPoints)
        } catch { throw .package(error) }
        guard !symmetric || stored.zeroPoints.allSatisfy({ $0 == 0 }) else {
            throw refuse("it is symmetric but its zero points are not all 0")
        }
        file.add("\(module).weight_scale", float32: stored.scales, shape: scaleShape)
        let format: String
        if q.bits == 8 {
            format = "int-quantized"
            file.add("\(module).weight", int8: codes, shape: [rows, columns])
        } else {
            format = "pack-quantized"
            file.add(
                "\(module).weight_packed", int32: packInt4(codes, rows: rows, columns: columns),
                shape: [rows, (columns + 7) / 8])
            file.add("\(module).weight_shape", int64: [Int64(rows), Int64(columns)], shape: [2])
            if !symmetric {
                // compressed-tensors packs zero points along the output dimension (pack_to_int32(zp, packed_dim=0)).
                let groups = scaleShape[1]
                let transposed = (0..<groups * rows).map { stored.zeroPoints[($0 % rows) * groups + $0 / rows] }
                let packed = packInt4(transposed, rows: groups, columns: rows)
                let words = (rows + 7) / 8
                let zeroPoints = (0..<words * groups).map { packed[($0 % groups) * words + $0 / groups] }
                file.add("\(module).weight_zero_point", int32: zeroPoints, shape: [words, groups])
            }
        }
        let weights = PythonJSONValue.object([
            "num_bits": .int(q.bits), "type": .string("int"), "symmetric": .bool(symmetric),
            "strategy": .string(strategy),
            "group_size": groupSize, "dynamic": .bool(false),
        ])
        return Scheme(weights: weights, inputActivations: .null, format: format)
    }

    /// Writes an int8 activation's static input scale (and zero point when asymmetric); returns its arguments.
    static func addInput(_ range: ExportedRange, to file: inout SafetensorsFile) throws(ExportError) -> PythonJSONValue
    {
        let record = range.record
        guard range.hasIntegerCodes, record.bits == 8, record.signed else {
            throw .unsupported(
                layer: range.layer, format: .compressedTensors,
                reason: "vLLM's W8A8 takes signed int8 activations; the activation is \(record.format)")
        }
        file.add("\(range.name).input_scale", float32: [range.scale], shape: [1])
        let symmetric = range.zeroPoint == 0
        if !symmetric { file.add("\(range.name).input_zero_point", int8: [Int32(range.zeroPoint)], shape: [1]) }
        return .object([
            "num_bits": .int(8), "type": .string("int"), "symmetric": .bool(symmetric), "strategy": .string("tensor"),
            "group_size": .null, "dynamic": .bool(false),
        ])
    }

    /// 4-bit codes (−8…7) packed 8 per int32 along each row: u = q + 8 at bits 4·(j mod 8) of word ⌊j/8⌋.
    static func packInt4(_ codes: [Int32], rows: Int, columns: Int) -> [Int32] {
        let words = (columns + 7) / 8
        var packed = [UInt32](repeating: 0, count: rows * words)
        for row in 0..<rows {
            for column in 0..<columns {
                let unsigned = UInt32(truncatingIfNeeded: codes[row * columns + column] + 8) & 0xF
                packed[row * words + column / 8] |= unsigned << (4 * UInt32(column % 8))
            }
        }
        return packed.map { Int32(bitPattern: $0) }
    }

    /// Why the directory at `path` is not an export of this format (`nil` when it is one, or empty).
    static func whyNotOwned(_ path: String) -> String? {
        ExportDirectory.whyNotOwned(path, fileNames: fileNames, marked: "config.json")
    }
}
