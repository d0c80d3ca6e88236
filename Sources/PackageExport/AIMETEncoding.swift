import Foundation

/// One quantizer's encoding as AIMET stores it: PTQKit's `x = s·(q − z)`, `q ∈ [qmin, qmax]` rewritten in
/// AIMET's unsigned form `x = (q' + offset)·delta`, `q' ∈ [0, 2^bw − 1]`, with
/// `q' = q − q₀` where `q₀ = −2^(bw−1)` for signed codes and 0 for unsigned ones, hence
/// `offset = q₀ − z` (−128 for symmetric int8) and `delta = s`; `min = offset·delta`,
/// `max = min + (2^bw − 1)·delta` (in double, as AIMET computes them). AIMET 2.0.0 keeps ONNX's form:
/// `output_dtype` `int<b>` for signed symmetric grids (zero point 0, left out), else `uint<b>` with
/// `y_scale = s`, `y_zero_point = −offset` (AIMET reads `int<b>` as symmetric). In 1.0.0 `is_sym` is what
/// AIMET calls signed: true for signed symmetric grids only.
///
/// A narrow range (`int8n`, codes −127…127) has no field in AIMET: its grid is the same, the one code AIMET
/// adds (−128) is never produced by a narrow-range scale (|x| ≤ 127·s).
public struct AIMETEncoding: Sendable, Hashable {
    /// PTQKit's name: the layer (activations) or the tensor's dataset path (parameters).
    public var source: String
    /// The name AIMET matches against its quantizers (ONNX tensor names).
    public var name: String
    /// Bits per code.
    public var bits: Int
    /// Whether PTQKit's codes are signed.
    public var signed: Bool
    /// Whether the scheme is symmetric.
    public var symmetric: Bool
    /// Scales, one per tensor or per channel.
    public var scales: [Float]
    /// Zero points, as many as ``scales``.
    public var zeroPoints: [Int]
    /// The channel axis of a per-channel encoding, `nil` per tensor.
    public var axis: Int?

    /// AIMET's offsets, q₀ − z for each channel.
    public var offsets: [Int] {
        let first = signed ? -(1 << (bits - 1)) : 0
        return zeroPoints.map { first - $0 }
    }

    /// The entries of an encoding version.
    func rendered(_ version: AIMETVersion) -> PythonJSONValue {
        let steps = Double((1 << bits) - 1)
        switch version {
        case .v061:
            return .array(
                zip(scales, offsets).map { scale, offset in
                    let minimum = Double(offset) * Double(scale)
                    return .object([
                        "bitwidth": .int(bits), "dtype": .string("int"),
                        "is_symmetric": .string(symmetric ? "True" : "False"),
                        "max": .float(minimum + steps * Double(scale)),
                        "min": .float(minimum), "offset": .float(Double(offset)), "scale": .float(Double(scale)),
                    ])
                })
        case .v100:
            return .object([
                "bw": .int(bits), "dtype": .string("INT"),
                "enc_type": .string(axis == nil ? "PER_TENSOR" : "PER_CHANNEL"),
                "is_sym": .bool(signed && symmetric), "name": .string(name),
                "offset": .array(offsets.map { .float(Double($0)) }),
                "scale": .array(scales.map { .float(Double($0)) }),
            ])
        case .v200:
            // AIMET reads `int<b>` as signed symmetric; any other grid goes in its unsigned form (as AIMET
            // writes activations): `uint<b>` with y_zero_point = z − q₀ = −offset.
            let signedSymmetric = signed && symmetric && zeroPoints.allSatisfy { $0 == 0 }
            let zeros = signedSymmetric ? zeroPoints : offsets.map { -$0 }
            var members: [String: PythonJSONValue] = [
                "name": .string(name), "output_dtype": .string("\(signedSymmetric ? "int" : "uint")\(bits)"),
            ]
            if let axis {
                members["axis"] = .int(axis)
                members["y_scale"] = .array(scales.map { .float(Double($0)) })
                if zeros.contains(where: { $0 != 0 }) { members["y_zero_point"] = .array(zeros.map { .int($0) }) }
            } else {
                members["y_scale"] = .float(Double(scales.first ?? 1))
                if let zero = zeros.first, zero != 0 { members["y_zero_point"] = .int(zero) }
            }
            return .object(members)
        }
    }
}

/// The AIMET encodings file versions `ptq export --format aimet --aimet-version` writes (AIMET's
/// `aimet_onnx/_encoding.py` reads all three; 1.0.0 is its default).
public enum AIMETVersion: String, CaseIterable, Sendable, Hashable {
    /// `activation_encodings`/`param_encodings` maps of lists (one entry per channel), strings for booleans.
    case v061 = "0.6.1"
    /// `activation_encodings`/`param_encodings` lists of `{name, enc_type, bw, is_sym, scale[], offset[]}`.
    case v100 = "1.0.0"
    /// One `encodings` list of `{name, output_dtype, y_scale, y_zero_point?, axis?}`.
    case v200 = "2.0.0"

    /// The whole file: the version's layout with `producer` naming PTQKit (AIMET's loader ignores it;
    /// `--force` looks for it).
    func document(activations: [AIMETEncoding], parameters: [AIMETEncoding], ptqkitVersion: String) -> String {
        let producer = PythonJSONValue.object(["package": .string("PTQKit"), "version": .string(ptqkitVersion)])
        let root: PythonJSONValue
        switch self {
        case .v061:
            func map(_ list: [AIMETEncoding]) -> PythonJSONValue {
                .object(Dictionary(list.map { ($0.name, $0.rendered(self)) }, uniquingKeysWith: { first, _ in first }))
            }
            root = .object([
                "version": .string(rawValue), "activation_encodings": map(activations),
                "param_encodings": map(parameters), "quantizer_args": .object([:]), "producer": producer,
            ])
        case .v100:
            root = .object([
                "version": .string(rawValue), "activation_encodings": .array(activations.map { $0.rendered(self) }),
                "param_encodings": .array(parameters.map { $0.rendered(self) }), "quantizer_args": .object([:]),
                "producer": producer,
            ])
        case .v200:
            root = .object([
                "version": .string(rawValue), "encodings": .array((parameters + activations).map { $0.rendered(self) }),
                "producer": producer,
            ])
        }
        return root.rendered()
    }

    /// Why the file at `path` is not an encodings file `ptq export` wrote (`nil` when it is one): a JSON
    /// object whose `producer.package` is `PTQKit`.
    static func whyNotOwned(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return "it is not a JSON object" }
        guard (object["producer"] as? [String: Any])?["package"] as? String == "PTQKit" else {
            return "its producer is not PTQKit"
        }
        return nil
    }
}
