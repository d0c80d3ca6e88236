import QuantCore

extension PackageVerifier {
    /// A weight's `quantization.method` (`docs/package-format.md`): only on an affine integer weight matrix
    /// (`role` weight, rank 2, integer codes of at most 16 bits, not fixed point); `rtn` is recorded by leaving
    /// it out; `gptq` carries its `damping`, `block_size` and `act_order`, `importance-clip` none of them.
    static func checkRoundingMethod(_ record: TensorRecord, _ report: inout Report) {
        guard let q = record.quantization, let method = q.method else { return }
        let place = "\(record.dataset): quantization.method \(method.name.rawValue)"
        var problem: String?
        if record.role != "weight" || record.encoding != .affine || q.bits > 16 || q.format == "fixed" {
            problem =
                "only an affine integer weight records a rounding method (role \(record.role), format \(q.format))"
        } else if record.originalShape.count != 2 {
            problem = "the methods round matrices; the weight has shape \(record.originalShape)"
        } else {
            let gptqSettings = [method.damping != nil, method.blockSize != nil, method.actOrder != nil]
            switch method.name {
            case .rtn:
                problem = "round-to-nearest is recorded by leaving the method out"
            case .gptq where gptqSettings.contains(false):
                problem = "gptq records damping, block_size and act_order"
            case .importanceClip where gptqSettings.contains(true):
                problem = "importance-clip has no damping, block_size or act_order"
            default:
                break
            }
        }
        report.check(problem.map { "\(place): \($0)" })
    }
}
