/// Whose parameter formulas an ``AffineScheme`` reproduces: bit for bit against the real library for
/// ``pytorch`` and ``onnxruntime`` (scales, zero-points and codes) and ``tensorrt`` (scales and zero-points;
/// codes equal except one step at exact rounding ties of `x/s`, 77 of the fixture's 1536, because PTQKit
/// multiplies by `1/s` where ModelOpt multiplies by `max_bound/amax`) -- goldens made with torch, onnxruntime
/// and nvidia-modelopt by `Tests/Fixtures/make_quant_goldens.py` -- and by formula for ``aimet``
/// (the formula of AIMET's older libpymo `TfEncodingAnalyzer`: the current aimet-onnx 2.42 differs on a third
/// of the fixture's parameter pairs, for ranges narrower than 0.01, symmetric ranges whose negative side
/// dominates, and 2-bit formats).
///
/// Every profile forces 0 into the range (`lo = min(min, 0)`, `hi = max(max, 0)`), so 0 is always a
/// code. They differ in divisor, zero-point, epsilon, arithmetic precision and rounding:
///
/// | profile | symmetric scale | unsigned symmetric zp | tiny/zero range | arithmetic | x/s | rounding |
/// |---|---|---|---|---|---|---|
/// | ``ptqkit`` | amax / min(z−qmin, qmax−z) (int8: /127) | ⌈(qmin+qmax)/2⌉ (uint8: 128) | ``DegenerateRangePolicy`` | Double | divide | half even |
/// | ``pytorch`` | amax / ((qmax−qmin)/2) (int8: /127.5, /127 narrow) | 128 (uint8), 2^15 (uint16), else ⌊(qmin+qmax)/2⌋ | scale floored at Float32 eps 2^−23 | Float32 | × (1/s) | half even |
/// | ``onnxruntime`` | 2·amax/(qmax−qmin), int8/int16 on [−127,127]/[−32767,32767] | round((qmin+qmax)/2) half even (uint8: 128) | scale < 2^−126 → (1, 0) | Double | divide | half even |
/// | ``tensorrt`` | amax / (2^(b−1+unsigned) − 1) (int8: /127) | 0 (unsigned codes 0…2^b−1) | amax ≤ 2^−24 → scale 1 (all codes 0) | Float32 | × (1/s) | half even |
/// | ``aimet`` | amax / ⌊n/2⌋, n = 2^b−1 (int8: /127), offset −⌈n/2⌉ | 2^(b−1) (uint8: 128); min ≥ 0: unsigned symmetric (zp 0, /255) | max ≥ min + 0.01 | Double | divide | half away |
///
/// Sources: PyTorch `torch/ao/quantization/observer.py` `_calculate_qparams`; ONNX Runtime
/// `onnxruntime/quantization/quant_utils.py` `compute_scale_zp` and `get_qmin_qmax_for_qType`
/// (1.32); NVIDIA ModelOpt `tensor_quant` (`max_bound / amax`, amax ≤ 2^−24 treated as 0, where ModelOpt's
/// exporter writes `amax / max_bound` instead and PTQKit follows the fake quantization's scale 1);
/// Qualcomm AIMET libpymo `TfEncodingAnalyzer::computeEncoding` (`num_steps = 2^bw − 1`, `MIN_RANGE = 0.01`,
/// offset = −zero-point, range shifted onto the grid; ANCHORS.md's 1e−5 gate is not what that source uses).
/// The asymmetric formulas are in ``AffineScheme/parameters(min:max:)``.
public enum CompatibilityProfile: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// PTQKit's own: Double arithmetic, no clipping of ±amax in symmetric mode, scale floor
    /// `Float.leastNormalMagnitude`, explicit ``DegenerateRangePolicy`` with warnings.
    case ptqkit
    /// PyTorch AO observers (`_calculate_qparams`).
    case pytorch
    /// ONNX Runtime quantization tools (`compute_scale_zp`).
    case onnxruntime
    /// TensorRT / ModelOpt: symmetric only.
    case tensorrt
    /// Qualcomm AIMET (TF min/max encodings), by formula (older libpymo `TfEncodingAnalyzer`), not bit for bit
    /// with the current aimet-onnx.
    case aimet

    /// The rounding of `x/s` (and of the AIMET offset) this tool uses.
    public var defaultRounding: RoundingRule {
        self == .aimet ? .toNearestOrAwayFromZero : .toNearestOrEven
    }

    /// Whether the tool quantizes as `x · (1/s)` (PyTorch `quantize_val` computes `inv_scale = 1.0f / scale`;
    /// ModelOpt multiplies by `max_bound / amax`) rather than `x / s`. The two differ in the last bit
    /// for some `x`, which can move a code across a rounding tie.
    public var multipliesByReciprocal: Bool { self == .pytorch || self == .tensorrt }

    /// The raw value ("ptqkit", "pytorch", "onnxruntime", "tensorrt", "aimet").
    public var description: String { rawValue }
}
