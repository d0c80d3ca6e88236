import Foundation

/// The three files of ONNX Runtime's `quant_utils.write_calibration_table(tensors_data, dir)`:
///
/// - `calibration.json`: the `TensorsData` as `json.dumps` writes it (``ONNXRuntimeCache`` without
///   `smooth_quant`), plus PTQKit's provenance key;
/// - `calibration.flatbuffers`: a `CalTableFlatBuffers.TrtTable` whose `dict` holds one `KeyValue` per
///   tensor, `key` the name and `value` the dynamic range as a decimal string; ORT's TensorRT provider reads
///   it (`std::stof`) and applies `setDynamicRange(-v, v)`;
/// - `calibration.cache`: `name value` per line, names sorted.
///
/// The value: ORT's writer puts `str(max(highest, lowest))` there, which is the dynamic range its readers
/// expect only when `lowest ≥ −highest` (ORT's own TensorRT flow calibrates symmetric ranges). PTQKit
/// writes what the readers expect, amax = max(|lowest|, |highest|): the same digits whenever
/// `lowest ≥ −highest`, and a range that covers the negative side otherwise (`ExportReport.notes` lists
/// those tensors). The decimal is Python's `str(float)` of the float32 value.
enum CalibrationTable {
    /// File names inside the output directory, in the order they are written.
    static let fileNames = ["calibration.json", "calibration.flatbuffers", "calibration.cache"]

    /// Ranges in Python's `sorted()` order of their names (by Unicode scalar values).
    static func sorted(_ ranges: [ExportedRange]) -> [ExportedRange] {
        ranges.sorted {
            $0.name.unicodeScalars.map(\.value).lexicographicallyPrecedes($1.name.unicodeScalars.map(\.value))
        }
    }

    /// The value string of a tensor: `str(float(amax))`.
    static func value(_ range: ExportedRange) -> String { PythonLiteral.float(Double(range.absoluteMaximum)) }

    /// `calibration.cache`: `name value\n` per tensor, sorted by name.
    static func text(_ ranges: [ExportedRange]) -> String {
        sorted(ranges).map { "\($0.name) \(value($0))\n" }.joined()
    }

    /// `calibration.flatbuffers`: the `TrtTable` with the `KeyValue`s in the order ORT's writer leaves them
    /// (it prepends the sorted entries, so the vector runs from the last name to the first).
    static func flatBuffer(_ ranges: [ExportedRange]) -> [UInt8] {
        FlatBufferTable.encode(sorted(ranges).reversed().map { (key: $0.name, value: value($0)) })
    }

    /// Why the directory at `path` is not a table `ptq export` wrote (`nil` when it is one): it holds
    /// only ``fileNames`` as regular files (or nothing), its `calibration.json` carrying PTQKit's marker.
    static func whyNotOwned(_ path: String) -> String? {
        ExportDirectory.whyNotOwned(path, fileNames: fileNames, marked: "calibration.json")
    }
}
