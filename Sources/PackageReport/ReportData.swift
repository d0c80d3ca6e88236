internal import PackageFormat

/// Everything a report shows, read from a package: its manifest and the per-channel parameters of every
/// quantized tensor that has more than one.
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
                if record.encoding == .affine, q.zeroPointDataset != nil {
                    let (_, scales, zeroPoints) = try reader.storedParameters(of: record)
                    channels[record.dataset] = ChannelParameters(
                        scales: scales, zeroPoints: zeroPoints, qmin: q.qmin, qmax: q.qmax)
                } else if record.encoding == .blockScaled {
                    channels[record.dataset] = ChannelParameters(scales: try reader.blockScales(of: record).scales)
                } else {
                    channels[record.dataset] = ChannelParameters(scales: try reader.layoutAndScales(of: record).scales)
                }
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
