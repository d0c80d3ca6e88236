/// A file format `ptq export` writes for a deployment tool (see `docs/exports.md`).
public enum ExportFormat: String, CaseIterable, Sendable, Hashable {
    /// ONNX Runtime's calibration cache: the JSON `onnxruntime.quantization.calibrate.save_tensors_data`
    /// writes (`TensorsData`, MinMax method, `lowest`/`highest` per tensor), read by `quantize_static(...,
    /// calibration_data_reader=None, calibration_cache_path=OUT, calibrate_method=CalibrationMethod.MinMax)`.
    case onnxruntime
    /// The directory `quant_utils.write_calibration_table` writes: `calibration.json`,
    /// `calibration.flatbuffers` and `calibration.cache` (read by ORT's TensorRT and MIGraphX providers).
    case onnxruntimeTable = "onnxruntime-table"
    /// TensorRT's INT8 calibration cache: `TRT-<version>-EntropyCalibration2`, then `name: <8 hex digits>`
    /// per tensor, the big-endian float32 bits of scale = amax / 127.
    case tensorrt
    /// AIMET encodings (`--aimet-version 0.6.1 | 1.0.0 | 2.0.0`): activation encodings of the layer inputs
    /// and parameter encodings of every quantized tensor, loaded by `aimet_onnx.quantsim.load_encodings_to_sim`.
    case aimet
    /// compressed-tensors for vLLM: `model.safetensors` + `config.json` (`quantization_config`), int8
    /// `int-quantized` W8A8 and 4-bit `pack-quantized` W4A16 (see `CompressedTensorsExport`).
    case compressedTensors = "compressed-tensors"
    /// llama.cpp's importance matrix (GGUF, `general.type = imatrix`): Σx² per input feature and the count
    /// of each layer's input, from the input moments a package stores (see `GGUFImatrixExport`).
    case ggufImatrix = "gguf-imatrix"

    /// Whether the output is a directory (else one regular file).
    public var writesDirectory: Bool { self == .onnxruntimeTable || self == .compressedTensors }

    /// What the output is, for messages ("ONNX Runtime calibration cache").
    public var outputKind: String {
        switch self {
        case .onnxruntime: "ONNX Runtime calibration cache written by ptq export"
        case .onnxruntimeTable: "ONNX Runtime calibration table directory written by ptq export"
        case .tensorrt: "TensorRT calibration cache written by ptq export"
        case .aimet: "AIMET encodings file written by ptq export"
        case .compressedTensors: "compressed-tensors directory written by ptq export"
        case .ggufImatrix: "GGUF importance matrix written by ptq export"
        }
    }
}
