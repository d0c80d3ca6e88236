import Foundation
import PackageFormat

/// `ptq export --format gguf-imatrix`: the input moments a package stores (``InputMomentsRecord``) as a
/// llama.cpp importance matrix, the GGUF file `llama-imatrix` writes (`tools/imatrix/imatrix.cpp`,
/// `save_imatrix`) and `llama-quantize --imatrix` reads:
///
/// - metadata `general.type = "imatrix"`, `imatrix.datasets` (the package's activation files),
///   `imatrix.chunk_count` and `imatrix.chunk_size`;
/// - per weight, in name order: `<name>.in_sum2` (F32, ne = [d, 1]: Σx² per input feature),
///   `<name>.counts` (F32, ne = [1, 1]: the feature vectors N summed over) and `<name>.in_sum` (F32,
///   ne = [d, 1]: Σx, which llama.cpp's newer writer adds and its reader checks against `in_sum2`).
///
/// llama.cpp counts tokens in chunks of `chunk_size`; PTQKit has no chunks, so `chunk_size` is 1 and
/// `chunk_count` the largest N (the tokens seen). `<name>` is the layer's weight tensor name
/// (`/fc1/weight` → `fc1.weight`, or the layer name without a weight) unless `--names` maps the layer.
enum GGUFImatrixExport {
    /// The file's bytes and the report.
    static func build(_ reader: borrowing PackageReader, package: String, names: NameMap?) throws(ExportError)
        -> (file: Data, report: ExportReport)
    {
        let manifest = reader.manifest
        let collected = manifest.layers.filter { $0.activation?.inputMoments != nil }
        guard !collected.isEmpty else {
            throw .nothingToExport(
                package: package, format: .ggufImatrix,
                reason: "no layer has input moments (calibrate with activations: moments: per-feature)")
        }
        let without = manifest.layers.filter { $0.activation?.inputMoments == nil }.map(\.name)
        let fallbacks = collected.map { layer in
            layer.tensors.first { $0.role == "weight" }.map { PackageExporter.parameterName($0.dataset) } ?? layer.name
        }
        var targets = fallbacks
        var unmapped: [String] = []
        if let names {
            (targets, unmapped) = try names.apply(
                to: zip(collected, fallbacks).map { (source: $0.name, fallback: $1) }, inert: Set(without))
        }
        var entries: [(name: String, sum: [Double], squares: [Double], count: Int)] = []
        for (layer, name) in zip(collected, targets) {
            guard let record = layer.activation?.inputMoments else { continue }
            do {
                let (sum, squares) = try reader.inputMoments(record)
                entries.append((name, sum, squares, record.count))
            } catch { throw .package(error) }
        }
        entries.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        var file = GGUFFile()
        let datasets = manifest.inputs.filter { $0.role == .activations }.map(\.path)
        let maxCount = entries.map(\.count).max() ?? 0
        file.metadata = [
            ("general.type", .string("imatrix")),
            ("imatrix.datasets", .strings(datasets)),
            ("imatrix.chunk_count", .uint32(UInt32(clamping: maxCount))),
            ("imatrix.chunk_size", .uint32(1)),
        ]
        for entry in entries {
            let d = entry.squares.count
            file.tensors.append(
                .init(name: "\(entry.name).in_sum2", ne: [d, 1], values: entry.squares.map(Float.init)))
            file.tensors.append(.init(name: "\(entry.name).counts", ne: [1, 1], values: [Float(entry.count)]))
            file.tensors.append(.init(name: "\(entry.name).in_sum", ne: [d, 1], values: entry.sum.map(Float.init)))
        }
        let report = ExportReport(
            format: .ggufImatrix, output: "", ranges: [], unmapped: unmapped, withoutActivation: without,
            notes: [], importanceEntries: entries.map(\.name))
        return (file.encoded(), report)
    }
}
