public import Foundation
internal import JSON

/// The output of `ptq evaluate PKG --activations HELDOUT.h5 --json`: each layer's output SQNR on held-out
/// activations, worst first.
///
/// The document is `{"format": "ptqkit-evaluation", "version": 1, "package": …, "activations": …,
/// "layers": [{"layer", "dataset", "rows", "weights_only_sqnr_db", "with_activations_sqnr_db"}, …]}`; the
/// numbers may be `null` where a value does not apply. Only that format and version are read: anything
/// else is refused with ``ReportError/invalidEvaluation(path:reason:)``.
public struct Evaluation: Sendable, Hashable {
    /// The value of `format`.
    public static let formatName = "ptqkit-evaluation"
    /// The only `version` this build reads.
    public static let version = 1

    /// One layer's output SQNR.
    public struct Layer: Sendable, Hashable {
        /// Layer name (as in the package).
        public var layer: String
        /// Held-out activation dataset the layer's input came from.
        public var dataset: String?
        /// Rows evaluated.
        public var rows: Int?
        /// SQNR of the layer's output with quantized weights and float inputs, in dB.
        public var weightsOnlySQNR: Double?
        /// SQNR of the layer's output with quantized weights and fake-quantized inputs, in dB.
        public var withActivationsSQNR: Double?

        /// The SQNR the ranking uses: with activations when known, else weights only.
        public var rankingSQNR: Double? { withActivationsSQNR ?? weightsOnlySQNR }
    }

    /// The file the evaluation was read from.
    public var path: String
    /// The package the evaluation names.
    public var package: String?
    /// The held-out activation file it names.
    public var activations: String?
    /// The layers, worst first (lowest ``Layer/rankingSQNR``; layers without any value last, by name).
    public var layers: [Layer]

    /// Reads and checks the evaluation file at `path`.
    /// - Throws: ``ReportError/evaluationUnreadable(path:reason:)`` when it cannot be read,
    ///   ``ReportError/invalidEvaluation(path:reason:)`` when it is not a version-1 `ptqkit-evaluation`.
    public init(contentsOf path: String) throws(ReportError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let missing = !FileManager.default.fileExists(atPath: path)
            throw .evaluationUnreadable(path: path, reason: missing ? "no such file or directory" : "\(error)")
        }
        try self.init(data: data, path: path)
    }

    /// Parses an evaluation document (`path` names it in messages).
    /// - Throws: ``ReportError/invalidEvaluation(path:reason:)``.
    public init(data: Data, path: String) throws(ReportError) {
        func fail(_ reason: String) -> ReportError { .invalidEvaluation(path: path, reason: reason) }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let root) = value else {
            throw fail("not a JSON object")
        }
        guard case .string(let format)? = root["format"], format == Self.formatName else {
            throw fail("format is \(root["format"].map { "\($0)" } ?? "missing"), expected \"\(Self.formatName)\"")
        }
        guard case .int(let version)? = root["version"], version == Self.version else {
            throw fail("version is \(root["version"].map { "\($0)" } ?? "missing"), this ptq reads version 1")
        }
        guard case .array(let entries)? = root["layers"] else { throw fail("layers is not an array") }
        self.path = path
        package = try Self.string(root["package"], key: "package", fail)
        activations = try Self.string(root["activations"], key: "activations", fail)
        var layers: [Layer] = []
        for (i, entry) in entries.enumerated() {
            guard case .object(let o) = entry else { throw fail("layers[\(i)] is not an object") }
            guard case .string(let name)? = o["layer"], !name.isEmpty else {
                throw fail("layers[\(i)].layer is not a non-empty string")
            }
            let rows: Int?
            switch o["rows"] {
            case nil, .null?: rows = nil
            case .int(let n)? where n >= 0: rows = n
            default: throw fail("layers[\(i)].rows is not a count")
            }
            layers.append(
                Layer(
                    layer: name, dataset: try Self.string(o["dataset"], key: "layers[\(i)].dataset", fail), rows: rows,
                    weightsOnlySQNR: try Self.number(o["weights_only_sqnr_db"], key: "layers[\(i)]", fail),
                    withActivationsSQNR: try Self.number(o["with_activations_sqnr_db"], key: "layers[\(i)]", fail)))
        }
        self.layers = layers.enumerated().sorted { a, b in
            switch (a.element.rankingSQNR, b.element.rankingSQNR) {
            case (let x?, let y?): x != y ? x < y : a.offset < b.offset
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.offset < b.offset
            }
        }.map(\.element)
    }

    private static func string(
        _ value: JSONValue?, key: String, _ fail: (String) -> ReportError
    ) throws(ReportError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw fail("\(key) is not a string")
        }
    }

    private static func number(
        _ value: JSONValue?, key: String, _ fail: (String) -> ReportError
    ) throws(ReportError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .int(let n)?: return Double(n)
        case .double(let x)? where x.isFinite: return x
        default: throw fail("\(key) has an SQNR that is not a number or null")
        }
    }
}
