import Foundation

/// ONNX Runtime's calibration cache (`onnxruntime.quantization.calibrate.save_tensors_data`), byte for byte
/// as its `CalibrationCacheEncoder` writes it with `json.dump` (separators `", "` and `": "`, ASCII only):
///
///     {"CLS": "TensorsData", "data": {NAME: {"lowest": {"data": LO, "dtype": "float32", "CLS": "numpy.array"},
///      "highest": {…}, "CLS": "TensorData"}, …}, "calibration_method": {"CLS": "CalibrationMethod",
///      "value": "CalibrationMethod.MinMax"}, "smooth_quant": false, "ptqkit_exported_from": PKG}
///
/// `lowest`/`highest` are 0-d float32 arrays (the form `load_tensors_data` turns back into
/// `np.array(value, dtype=float32)`), written as the shortest decimal of the float32 value widened to
/// double, so the reader gets exactly the manifest's float32 range. The method is MinMax: the ranges are
/// final, and ORT then derives scale and zero point from them (`compute_scale_zp`). `ptqkit_exported_from`
/// (the package path) is ignored by ORT's reader (`TensorsData.from_dict` reads `data` and
/// `calibration_method`; `quantize_static` reads `smooth_quant`) and marks the file as PTQKit's for `--force`.
enum ONNXRuntimeCache {
    /// The top-level key naming the package a cache was exported from.
    static let markerKey = ExportDirectory.markerKey

    /// The cache (`save_tensors_data`'s form, with `smooth_quant`) or a table's `calibration.json`
    /// (`write_calibration_table`'s form, without it), followed by the provenance marker.
    static func render(_ ranges: [ExportedRange], package: String, smoothQuantKey: Bool) -> String {
        var out = "{\"CLS\": \"TensorsData\", \"data\": {"
        out += ranges.map { range in
            PythonLiteral.string(range.name) + ": {\"lowest\": " + array(range.lowest) + ", \"highest\": "
                + array(range.highest) + ", \"CLS\": \"TensorData\"}"
        }.joined(separator: ", ")
        out += "}, \"calibration_method\": {\"CLS\": \"CalibrationMethod\", \"value\": \"CalibrationMethod.MinMax\"}"
        if smoothQuantKey { out += ", \"smooth_quant\": false" }
        out += ", \"\(markerKey)\": " + PythonLiteral.string(package) + "}"
        return out
    }

    /// A float32 0-d numpy array as the encoder writes it: `{"data": x, "dtype": "float32", "CLS": "numpy.array"}`.
    static func array(_ value: Float) -> String {
        "{\"data\": \(PythonLiteral.float(Double(value))), \"dtype\": \"float32\", \"CLS\": \"numpy.array\"}"
    }

    /// Why the file at `path` is not a cache `ptq export` wrote (`nil` when it is one): a JSON object with
    /// `"CLS": "TensorsData"` and the ``markerKey``.
    static func whyNotOwned(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return "it is not a JSON object" }
        guard object["CLS"] as? String == "TensorsData", object[markerKey] is String else {
            return "it has no \"CLS\": \"TensorsData\" with \"\(markerKey)\""
        }
        return nil
    }
}
