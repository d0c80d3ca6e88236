import Foundation

/// TensorRT's INT8 calibration cache (implicit quantization): a header line `TRT-<version>-<algorithm>`,
/// then one line per tensor `name: XXXXXXXX`, the eight lowercase hex digits being the big-endian IEEE
/// float32 bits of scale = amax / 127 (`3c010204` is amax 1.0). Readers: TensorRT's calibrators,
/// ORT's TensorRT provider and ModelOpt (`struct.unpack("!f", bytes.fromhex(hex))`); TensorRT ignores a
/// cache whose header does not match its version and calibrator.
enum TensorRTCache {
    /// The algorithm in the header (`IInt8EntropyCalibrator2`).
    static let algorithm = "EntropyCalibration2"

    /// The scale TensorRT reads: amax / 127 in float32 (correctly rounded).
    static func scale(amax: Float) -> Float { amax / 127 }

    /// The cache text, one line per range in order, each line ending in a newline.
    static func render(_ ranges: [ExportedRange], version: String) -> String {
        var out = "TRT-\(version)-\(algorithm)\n"
        for range in ranges {
            let bits = String(scale(amax: range.absoluteMaximum).bitPattern, radix: 16)
            out += "\(range.name): \(String(repeating: "0", count: 8 - bits.count))\(bits)\n"
        }
        return out
    }

    /// Why the file at `path` is not a TensorRT calibration cache (`nil` when it is one): the first line is
    /// `TRT-<digits>-<algorithm>` and every other line `name: <8 hex digits>`. The format has no room for
    /// a provenance mark, so any such cache counts as this kind of output for `--force`.
    static func whyNotOwned(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { return "it is not UTF-8 text" }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first, header.hasPrefix("TRT-"), header.split(separator: "-").count >= 3 else {
            return "its first line is not TRT-<version>-<algorithm>"
        }
        for line in lines.dropFirst() {
            guard let colon = line.lastIndex(of: ":") else { return "a line has no 'name: hex'" }
            let hex = line[line.index(after: colon)...].drop { $0 == " " }
            guard hex.count == 8, hex.allSatisfy(\.isHexDigit) else { return "a line has no 8-digit hex scale" }
        }
        return nil
    }
}
