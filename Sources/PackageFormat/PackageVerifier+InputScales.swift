extension PackageVerifier {
    /// A weight's recorded input scale s (AWQ, `quantization.method.input_scale_dataset`): the float32 dataset
    /// exists with shape `[d(input_axis)]` and every value is finite and > 0 (Ŵ = deq(q)·diag(s)⁻¹ divides by it).
    static func checkInputScales(_ record: TensorRecord, _ package: borrowing PackageReader, _ report: inout Report) {
        guard let path = record.quantization?.method?.inputScaleDataset else { return }
        do {
            guard let (_, scales) = try package.inputScales(of: record) else { return }
            let bad = scales.firstIndex { !$0.isFinite || $0 <= 0 }
            report.check(
                bad.map { "\(package.tensorsPath):\(path): s[\($0)] = \(scales[$0]) is not finite and positive" })
        } catch {
            report.check("\(record.dataset): input scale: \(error)")
        }
    }
}
