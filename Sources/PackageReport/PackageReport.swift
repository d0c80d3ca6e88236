import Foundation
internal import PackageFormat

/// `ptq report`: one self-contained HTML page describing a model package, for people who would rather
/// look than read. Inline CSS and SVG, no network access, readable without JavaScript (a small script
/// only sorts the layer table); every name from the package is escaped.
///
/// It needs nothing but the package: the manifest (inputs, fingerprints, configuration, each layer's
/// records, each activation's compact histogram) and `tensors.h5` (each channel's range of the stored values,
/// the scales). Packages written before histograms were recorded are reported without the activation
/// plots. With an
/// ``Evaluation`` it adds each layer's output SQNR, worst first.
public enum PackageReport {
    /// The `<meta name="generator">` content every report carries: how `--force` recognises a report it may
    /// replace.
    public static let generator = "ptq report"

    /// The report of the package at `path` as HTML text (UTF-8).
    /// - Throws: ``ReportError/package(_:)`` when the package cannot be read.
    public static func render(package path: String, evaluation: Evaluation? = nil) throws(ReportError) -> String {
        let data = try ReportData(package: path)
        return ReportPage(data: data, evaluation: evaluation).html
    }

    /// Why the file at `path` is not a report `ptq report` wrote (`nil` when it is): it must begin with the
    /// doctype and carry the generator marker in its first 4 KiB.
    public static func whyNotAReport(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "it cannot be read" }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        guard head.hasPrefix("<!DOCTYPE html>"), head.contains(generatorMeta) else {
            return "it has no <meta name=\"generator\" content=\"\(generator)\">"
        }
        return nil
    }

    /// The marker element.
    static let generatorMeta = "<meta name=\"generator\" content=\"\(generator)\">"
}

/// The page: sections in reading order.
struct ReportPage {
    var data: ReportData
    var evaluation: Evaluation?

    var manifest: Manifest { data.manifest }

    /// The whole document.
    var html: String {
        let name = (data.path as NSString).lastPathComponent
        var s = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            \(PackageReport.generatorMeta)
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>PTQKit report: \(HTML.escape(name))</title>
            <script>\(ReportStyle.errorHook)</script>
            <style>\(ReportStyle.css)</style>
            </head>
            <body>
            <header><h1>Calibration report: <code>\(HTML.escape(name))</code></h1>
            <p class="meta">\(HTML.escape(data.path)) · written by PTQKit \(HTML.escape(manifest.ptqkitVersion)) · \
            package format \(manifest.formatVersion)</p></header>
            <nav><a href="#summary">Summary</a> <a href="#layers">Layers</a> <a href="#weight-sqnr">Weight SQNR</a>\
            \(evaluation == nil ? "" : " <a href=\"#output-sqnr\">Output SQNR</a>") \
            <a href="#details">Per layer</a> <a href="#inputs">Inputs and configuration</a></nav>
            <main>

            """
        s += summary
        s += layerTable
        s += weightSQNRChart
        if let evaluation { s += outputSQNR(evaluation) }
        s += "<section id=\"details\"><h2>Per layer</h2>\n"
        for (index, layer) in manifest.layers.enumerated() { s += layerSection(layer, index: index) }
        s += "</section>\n"
        s += inputs
        s += legend
        s += "</main>\n<script>\(ReportStyle.script)</script>\n</body>\n</html>\n"
        return s
    }

    /// Counts and extremes: layers, quantized tensors, calibrated activations, the worst weight SQNR and
    /// the largest clipped share.
    var summary: String {
        let tensors = manifest.tensors
        let quantized = tensors.filter { $0.quantization != nil }
        let activations = manifest.layers.compactMap(\.activation)
        let worst = manifest.layers.compactMap { layer -> (String, Double)? in
            guard let t = ReportData.mainTensor(of: layer), let sqnr = t.metrics?.sqnrDecibels else { return nil }
            return (layer.name, sqnr)
        }.min { $0.1 < $1.1 }
        let clipped = manifest.layers.compactMap { l in l.activation.map { (l.name, $0.clippingFraction) } }
            .max { $0.1 < $1.1 }
        let histograms = activations.filter { $0.histogram != nil }.count
        var s = "<section id=\"summary\"><h2>Summary</h2>\n<dl class=\"facts\">"
        s += fact("Layers", "\(manifest.layers.count)")
        s += fact("Tensors", "\(tensors.count) (\(quantized.count) quantized)")
        s += fact("Activations calibrated", "\(activations.count) (\(histograms) with a histogram)")
        if let worst {
            s += fact("Lowest weight SQNR", "\(HTML.number(worst.1, digits: 3)) dB", code: worst.0)
        }
        if let clipped {
            s += fact("Most clipped activation", HTML.percent(clipped.1), code: clipped.0)
        }
        if let layout = manifest.layout { s += fact("Layout", "\(layout.name): \(layout.reason)") }
        s += "</dl>\n"
        if !activations.isEmpty, histograms == 0 {
            s += """
                <p class="note">This package was written before activation histograms were recorded: the \
                activation plots are left out. Calibrate again with this ptq to get them.</p>

                """
        }
        return s + "</section>\n"
    }

    /// A `<dt>`/`<dd>` pair; `code` (escaped) is appended in a `<code>` element.
    func fact(_ term: String, _ value: String, code: String? = nil) -> String {
        let tail = code.map { " in <code>\(HTML.escape($0))</code>" } ?? ""
        return "<dt>\(HTML.escape(term))</dt><dd>\(HTML.escape(value))\(tail)</dd>"
    }

    /// The per-layer table; the script sorts it by the `data-*` values of its rows.
    var layerTable: String {
        let outputs = Dictionary(
            (evaluation?.layers ?? []).map { ($0.layer, $0.rankingSQNR) }, uniquingKeysWith: { a, _ in a })
        var s = """
            <section id="layers"><h2>Layers</h2>
            <p class="hint">Click a column heading marked ⇅ to sort (needs JavaScript; without it the table is in \
            layer order).</p>
            <table id="layer-table">
            <thead><tr><th data-sort-key="name" data-sort-type="text">Layer ⇅</th><th>Class</th>\
            <th>Weights</th><th data-sort-key="wbits">Weight bits ⇅</th>\
            <th data-sort-key="sqnr">Weight SQNR (dB) ⇅</th><th>Activation</th>\
            <th data-sort-key="abits">Activation bits ⇅</th><th data-sort-key="clip">Clipped ⇅</th>
            """
        if evaluation != nil { s += "<th data-sort-key=\"osqnr\">Output SQNR (dB) ⇅</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for (index, layer) in manifest.layers.enumerated() {
            let t = ReportData.mainTensor(of: layer)
            let q = t?.quantization
            let sqnr = t?.metrics?.sqnrDecibels
            let a = layer.activation
            var row = "<tr data-name=\"\(HTML.escape(layer.name))\" data-wbits=\"\(q.map { "\($0.bits)" } ?? "")\" "
            row += "data-sqnr=\"\(HTML.sortValue(sqnr))\" data-abits=\"\(a.map { "\($0.bits)" } ?? "")\" "
            row += "data-clip=\"\(HTML.sortValue(a?.clippingFraction))\""
            if evaluation != nil { row += " data-osqnr=\"\(HTML.sortValue(outputs[layer.name] ?? nil))\"" }
            row += "><td><a href=\"#layer-\(index)\"><code>\(HTML.escape(layer.name))</code></a></td>"
            row += "<td>\(HTML.escape(layer.layerClass ?? "–"))</td>"
            if let q {
                row +=
                    "<td>\(HTML.escape("\(q.format) \(q.scheme) \(q.granularity)"))</td><td class=\"num\">\(q.bits)</td>"
            } else {
                let note = layer.tensors.isEmpty ? "no weights" : (layer.tensors.first?.note ?? "float32")
                row += "<td>\(HTML.escape(note))</td><td class=\"num\">–</td>"
            }
            row += "<td class=\"num\">\(HTML.number(sqnr, digits: 3))</td>"
            if let a {
                let granularity = a.granularity ?? "per-tensor"
                row += "<td>\(HTML.escape("\(a.format) \(a.scheme) \(granularity), \(a.observer)"))</td>"
                row += "<td class=\"num\">\(a.bits)</td><td class=\"num\">\(HTML.percent(a.clippingFraction))</td>"
            } else {
                row += "<td>–</td><td class=\"num\">–</td><td class=\"num\">–</td>"
            }
            if evaluation != nil {
                row += "<td class=\"num\">\(HTML.number(outputs[layer.name] ?? nil, digits: 3))</td>"
            }
            s += row + "</tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// Every quantized tensor's SQNR against the original, in layer order.
    var weightSQNRChart: String {
        let rows = manifest.layers.flatMap { layer in
            layer.tensors.filter { $0.quantization != nil }.map {
                BarChart.Row(label: $0.dataset, values: [$0.metrics?.sqnrDecibels])
            }
        }
        var s = "<section id=\"weight-sqnr\"><h2>Weight SQNR</h2>\n"
        guard !rows.isEmpty else { return s + "<p>No quantized tensors.</p></section>\n" }
        s += """
            <p class="hint">10·log10(Σx² / Σ(x − x̂)²) of each quantized tensor against the original weights \
            (longer is better; n/a: no error or no signal).</p>

            """
        s += "<figure>" + BarChart(rows: rows, kind: "weight-sqnr", title: "Weight SQNR per tensor").svg
        return s + "</figure></section>\n"
    }
}
