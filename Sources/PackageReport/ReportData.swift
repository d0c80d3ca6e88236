internal import PackageFormat
internal import QuantCore

/// Everything a report shows, read from a package: its manifest and, for every quantized tensor with more
/// than one scale, each channel's (group's, block's) range of the stored values and the scales. Reading them
/// dequantizes those tensors once (time and memory in proportion to the largest tensor).
struct ReportData: Sendable {
    /// The package directory as given.
    var path: String
    /// The manifest.
    var manifest: Manifest
    /// Size in bytes of `manifest.json`.
    var manifestBytes: Int
    /// Per-channel (per-group, per-block) parameters by dataset path (not of 32-bit codes).
    var channels: [String: ChannelParameters]

    /// Reads the manifest and every quantized tensor's parameters (not its codes).
    init(package path: String) throws(ReportError) {
        do throws(PackageError) {
            let reader = try PackageReader(path: path)
            self.path = path
            manifest = reader.manifest
            manifestBytes = reader.manifestData.count
            var channels: [String: ChannelParameters] = [:]
            for record in reader.manifest.tensors {
                // An int32 bias's range is the whole int32 span at s_in · s_w[c]: nothing to look at.
                guard let q = record.quantization, q.parameterShape.reduce(1, *) > 1, q.bits < 32 else { continue }
                // Each parameter's range of the stored values (a dead channel is [0, 0], whatever its scale).
                let (layout, scales) =
                    record.encoding == .blockScaled
                    ? try reader.blockScales(of: record) : try reader.layoutAndScales(of: record)
                let values = try reader.dequantized(record)
                let result = values.withUnsafeBufferPointer { buffer in
                    Result { () throws(QuantizationError) in try layout.finiteMinMax(buffer) }
                }
                let ranges: (mins: [Float], maxs: [Float])
                switch result {
                case .success(let r): ranges = r
                case .failure(let error): throw .quantization(name: record.dataset, error)
                }
                channels[record.dataset] = ChannelParameters(low: ranges.mins, high: ranges.maxs, scales: scales)
            }
            self.channels = channels
        } catch {
            throw .package(error)
        }
    }

    /// The tensor that stands for a layer's weights: its first quantized tensor that is not a bias, else its
    /// first quantized tensor.
    static func mainTensor(of layer: LayerRecord) -> TensorRecord? {
        let quantized = layer.tensors.filter { $0.quantization != nil }
        return quantized.first { $0.role != "bias" && $0.layoutRole != "bias" } ?? quantized.first
    }
}
