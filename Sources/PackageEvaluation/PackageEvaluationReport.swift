import Foundation
public import JSON

/// The result of ``PackageEvaluator/evaluate(package:activations:options:)``: every layer of the package,
/// measured ones ranked worst first (a sensitivity list), then the skipped ones by name.
public struct PackageEvaluationReport: Sendable {
    /// The package path as given.
    public var package: String
    /// The held-out activations file as given.
    public var activations: String
    /// The float weights file read.
    public var weights: String
    /// The package's recorded layout (`torch`, `keras`, `generic`, …), `nil` when it records none.
    public var layout: String?
    /// The layers: measured ones by ``LayerEvaluation/deployedSQNR`` ascending (name on ties), then
    /// skipped ones by name.
    public var layers: [LayerEvaluation]

    /// The `format` value of the JSON document.
    public static let format = "ptqkit-evaluation"
    /// The `version` of the JSON document's shape.
    public static let version = 1

    /// A report of `layers` (ordered here).
    public init(package: String, activations: String, weights: String, layout: String?, layers: [LayerEvaluation]) {
        self.package = package
        self.activations = activations
        self.weights = weights
        self.layout = layout
        self.layers = layers.sorted { a, b in
            switch (a.skipped, b.skipped) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (.some, .some): return a.layer < b.layer
            case (nil, nil):
                let (x, y) = (a.deployedSQNR ?? .infinity, b.deployedSQNR ?? .infinity)
                return x != y ? x < y : a.layer < b.layer
            }
        }
    }

    /// The mean of a per-layer figure in dB over the measured layers that have it (`nil` when none has).
    func mean(_ figure: (LayerEvaluation) -> Double?) -> Double? {
        let values = layers.compactMap(figure)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The `--json` document: `format`, `version`, `package`, `activations`, `weights`, `layout`, the means
    /// of both SQNRs over the measured layers, and `layers` in report order, each with `layer`, `dataset`,
    /// `rows`, `weights_only_sqnr_db`, `with_activations_sqnr_db` (`null` when not measured, lossless, or,
    /// for the latter, when the package keeps the input in float), then `weight`, `vectors`,
    /// `non_finite_rows`, `weight_format`, `activation_format`, the energies behind the SQNRs
    /// (`signal_energy`, `weights_only_error_energy`, `with_activations_error_energy`) and `skipped`.
    public var json: JSONValue {
        let number = { (x: Double?) in x.map(JSONValue.double) ?? .null }
        let text = { (x: String?) in x.map(JSONValue.string) ?? .null }
        let entries: [JSONValue] = layers.map { l in
            .object([
                ("layer", .string(l.layer)), ("dataset", text(l.dataset)), ("rows", l.rows.map(JSONValue.int) ?? .null),
                ("weights_only_sqnr_db", number(l.weightsOnlySQNR)),
                ("with_activations_sqnr_db", number(l.withActivationsSQNR)),
                ("weight", text(l.weight)), ("vectors", l.vectors.map(JSONValue.int) ?? .null),
                ("non_finite_rows", .int(l.nonFiniteRows)), ("weight_format", text(l.weightFormat)),
                ("activation_format", text(l.activationFormat)), ("signal_energy", number(l.signalEnergy)),
                ("weights_only_error_energy", number(l.weightsOnlyError)),
                ("with_activations_error_energy", number(l.withActivationsError)), ("skipped", text(l.skipped)),
            ])
        }
        return .object([
            ("format", .string(Self.format)), ("version", .int(Self.version)), ("package", .string(package)),
            ("activations", .string(activations)), ("weights", .string(weights)), ("layout", text(layout)),
            ("mean_weights_only_sqnr_db", number(mean(\.weightsOnlySQNR))),
            ("mean_with_activations_sqnr_db", number(mean(\.withActivationsSQNR))),
            ("layers", .array(entries)),
        ])
    }

    /// The table `ptq evaluate` prints: one line per layer, worst first, SQNRs to 0.01 dB (`exact` for a
    /// lossless layer, `-` where not applicable), skipped layers after with their reason.
    public var text: String {
        let db = { (sqnr: Double?, error: Double?) -> String in
            if let sqnr { return String(format: "%.2f", sqnr) }
            return error == 0 ? "exact" : "-"
        }
        var rows = [["layer", "dataset", "rows", "weight", "activation", "W-only dB", "W+A dB"]]
        for l in layers where l.skipped == nil {
            rows.append([
                l.layer, l.dataset ?? "-", l.rows.map(String.init) ?? "-", l.weightFormat ?? "-",
                l.activationFormat ?? "float", db(l.weightsOnlySQNR, l.weightsOnlyError),
                db(l.withActivationsSQNR, l.withActivationsError),
            ])
        }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = [
            "\(package) on \(activations): output SQNR 10·log10(‖XWᵀ‖²/‖XWᵀ − X̂Ŵᵀ‖²), worst first (weights \(weights))"
        ]
        for row in rows {
            let cells = row.indices.map { c in
                c < 2 || c == 3 || c == 4
                    ? row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - row[c].count) + row[c]
            }
            lines.append(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let means = [("W-only", mean(\.weightsOnlySQNR)), ("W+A", mean(\.withActivationsSQNR))].compactMap { name, v in
            v.map { "\(name) \(String(format: "%.2f", $0)) dB" }
        }
        if !means.isEmpty { lines.append("mean over measured layers: " + means.joined(separator: ", ")) }
        for l in layers { if let reason = l.skipped { lines.append("skipped \(l.layer): \(reason)") } }
        return lines.joined(separator: "\n")
    }
}
