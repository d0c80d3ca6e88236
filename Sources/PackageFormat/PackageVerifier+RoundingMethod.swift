import QuantCore

extension PackageVerifier {
    /// A weight's `quantization.method` (`docs/package-format.md`): only on an affine integer weight matrix
    /// (`role` weight, rank 2, integer codes of at most 16 bits, not fixed point); `rtn` is recorded by leaving
    /// it out; `gptq` carries its `damping`, `block_size` and `act_order`, `importance-clip` none of them, `awq`
    /// its `alpha` (in [0, 1)), `alpha_grid`, `input_scale_dataset` (`<dataset>.input_scale`) and `input_axis`
    /// and no GPTQ settings; `smoothquant` its `alpha` (in [0, 1]), `input_scale_dataset` and `input_axis` as AWQ,
    /// `alpha_grid` only when α was searched, and no GPTQ settings; only `awq` and `smoothquant` record those keys.
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
            let awqSettings = [
                method.alpha != nil, method.alphaGrid != nil, method.inputScaleDataset != nil, method.inputAxis != nil,
            ]
            switch method.name {
            case .rtn:
                problem = "round-to-nearest is recorded by leaving the method out"
            case .gptq where gptqSettings.contains(false):
                problem = "gptq records damping, block_size and act_order"
            case .importanceClip where gptqSettings.contains(true):
                problem = "importance-clip has no damping, block_size or act_order"
            case .gptq where awqSettings.contains(true), .importanceClip where awqSettings.contains(true):
                problem = "only awq and smoothquant record alpha, alpha_grid, input_scale_dataset and input_axis"
            case .awq where awqSettings.contains(false) || gptqSettings.contains(true):
                problem = "awq records alpha, alpha_grid, input_scale_dataset and input_axis (and no GPTQ settings)"
            case .awq where !(0..<1).contains(method.alpha ?? -1) || (method.alphaGrid ?? 0) < 1:
                problem = "awq's alpha must lie in [0, 1) and alpha_grid be at least 1"
            case .awq where method.inputScaleDataset != record.dataset + ".input_scale":
                problem = "awq's input_scale_dataset must be \(record.dataset).input_scale"
            case .awq where !(0...1).contains(method.inputAxis ?? -1):
                problem = "awq's input_axis must be 0 or 1"
            case .smoothquant where gptqSettings.contains(true) || !(0...1).contains(method.alpha ?? -1):
                problem = "smoothquant records an alpha in [0, 1] (and no GPTQ settings)"
            case .smoothquant where (method.alphaGrid ?? 1) < 1:
                problem = "smoothquant's alpha_grid, when α was searched, must be at least 1"
            case .smoothquant where method.inputScaleDataset != record.dataset + ".input_scale":
                problem = "smoothquant's input_scale_dataset must be \(record.dataset).input_scale"
            case .smoothquant where !(0...1).contains(method.inputAxis ?? -1):
                problem = "smoothquant's input_axis must be 0 or 1"
            default:
                break
            }
        }
        report.check(problem.map { "\(place): \($0)" })
    }
}
