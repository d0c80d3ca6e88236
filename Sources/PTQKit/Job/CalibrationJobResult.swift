public import JSON
public import PackageFormat

/// The outcome of a ``CalibrationJob``: the package written, per-layer figures and warnings. Encodes
/// (and ``json`` renders) exactly what `ptq calibrate --json` prints, keys in this order: `output`,
/// `format_version`, `layers` (each `name`, `tensors` (`dataset`, `role`, `encoding`, and for quantized
/// tensors `format`, `scheme`, `granularity`, `sqnr_db`, `mse`, `max_abs_error`), and `activation`
/// (`format`, `scheme`, `scale`, `zero_point`, `range`, `clipping_fraction`) when calibrated), `warnings`.
/// A scheme chosen by `auto` adds `scheme_reason`, `symmetric_error` and `asymmetric_error` after
/// `scheme`, as the manifest records them.
public struct CalibrationJobResult: Encodable, Sendable {
    /// The package directory written.
    public var output: String
    /// Its manifest.
    public var manifest: Manifest
    /// The calibration's warnings.
    public var warnings: [String]
    /// Activation files skipped with ``CalibrationJob/Options/keepGoing`` (not part of the JSON).
    public var skipped: [FileProbe.Failure]

    /// Creates a result.
    public init(output: String, manifest: Manifest, warnings: [String], skipped: [FileProbe.Failure] = []) {
        self.output = output
        self.manifest = manifest
        self.warnings = warnings
        self.skipped = skipped
    }

    /// The result as an ordered JSON document.
    public var json: JSONValue {
        .object([
            ("output", .string(output)), ("format_version", .int(manifest.formatVersion)),
            ("layers", .array(manifest.layers.map(Self.json))), ("warnings", .array(warnings.map { .string($0) })),
        ])
    }

    /// Encodes ``json``.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    private static func json(_ layer: LayerRecord) -> JSONValue {
        var members: JSONObject = [("name", .string(layer.name))]
        members["tensors"] = .array(layer.tensors.map(json))
        if let a = layer.activation {
            var activation: JSONObject = [("format", .string(a.format)), ("scheme", .string(a.scheme))]
            addDecision(to: &activation, reason: a.schemeReason, errors: (a.symmetricError, a.asymmetricError))
            if let scale = a.scale, let zeroPoint = a.zeroPoint {
                activation["scale"] = .double(Double(scale))
                activation["zero_point"] = .int(zeroPoint)
            } else {
                activation["granularity"] = .string(a.granularity ?? "per-channel")
                activation["axis"] = a.axis.map(JSONValue.int) ?? .null
                activation["scales"] = .array((a.scales ?? []).map { .double(Double($0)) })
                activation["zero_points"] = .array((a.zeroPoints ?? []).map(JSONValue.int))
            }
            activation["range"] = .array([.double(Double(a.rangeMin)), .double(Double(a.rangeMax))])
            activation["clipping_fraction"] = .double(a.clippingFraction)
            members["activation"] = .object(activation)
        }
        return .object(members)
    }

    private static func json(_ t: TensorRecord) -> JSONValue {
        var fields: JSONObject = [
            ("dataset", .string(t.dataset)), ("role", .string(t.role)), ("encoding", .string(t.encoding.rawValue)),
        ]
        if let q = t.quantization {
            fields["format"] = .string(q.format)
            fields["scheme"] = .string(q.scheme)
            addDecision(to: &fields, reason: q.schemeReason, errors: (q.symmetricError, q.asymmetricError))
            fields["granularity"] = .string(q.granularity)
        }
        if let m = t.metrics {
            fields["sqnr_db"] = m.sqnrDecibels.map { .double($0) } ?? .null
            fields["mse"] = .double(m.mse)
            fields["max_abs_error"] = .double(m.maxAbsError)
        }
        return .object(fields)
    }

    /// The `auto` decision's reason and measured errors, when recorded.
    private static func addDecision(
        to fields: inout JSONObject, reason: String?, errors: (symmetric: Double?, asymmetric: Double?)
    ) {
        if let reason { fields["scheme_reason"] = .string(reason) }
        if let e = errors.symmetric { fields["symmetric_error"] = .double(e) }
        if let e = errors.asymmetric { fields["asymmetric_error"] = .double(e) }
    }
}
