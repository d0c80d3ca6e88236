internal import PackageFormat

extension ReportPage {
    /// One layer: its activation (histogram, ranges, the `auto` candidates and the reason) and its tensors
    /// (format, metrics, SQNR bar, per-channel parameters with outliers marked).
    func layerSection(_ layer: LayerRecord, index: Int) -> String {
        var s = "<section class=\"layer\" id=\"layer-\(index)\" data-layer=\"\(HTML.escape(layer.name))\">"
        s += "<h3><code>\(HTML.escape(layer.name))</code>"
        if let cls = layer.layerClass { s += " <span class=\"muted\">\(HTML.escape(cls))</span>" }
        s += "</h3>\n"
        if let a = layer.activation {
            s += activationBlock(a, layer: layer.name)
        } else {
            s += "<p class=\"muted\">No activation calibrated for this layer.</p>\n"
        }
        for tensor in layer.tensors { s += tensorBlock(tensor) }
        if layer.tensors.isEmpty { s += "<p class=\"muted\">No weight tensors.</p>\n" }
        return s + "</section>\n"
    }

    /// An activation's plot and facts.
    func activationBlock(_ a: ActivationRecord, layer: String) -> String {
        var s = "<div class=\"activation\"><h4>Input activation</h4>\n<div class=\"pair\">"
        if let h = a.histogram {
            let observed = a.observedMin.flatMap { lo in a.observedMax.map { (Double(lo), Double($0)) } }
            let chosen = (Double(a.rangeMin), Double(a.rangeMax))
            var clamp = chosen
            if a.hasIntegerCodes, let scale = a.scale.map(Double.init), let z = a.zeroPoint {
                clamp = (scale * (Double(a.qmin - z) - 0.5), scale * (Double(a.qmax - z) + 0.5))
            }
            let plot = HistogramPlot(
                histogram: h, observed: observed, chosen: chosen, clamp: clamp,
                title: "Histogram of the input of \(layer) (log counts)")
            s += "<figure>\(plot.svg)<figcaption>Counts per bin on a log scale; shaded: the chosen range; "
            s +=
                "<span class=\"key-clipped\">red</span>: bins wholly beyond the clamping limits (clipped); dashed: the "
            s += "observed range."
            s += "</figcaption></figure>\n"
        } else {
            s += "<p class=\"note\">No histogram recorded (a package written before histograms were kept).</p>\n"
        }
        s += "<div class=\"side\"><dl class=\"facts\">"
        s += fact("Datasets", a.datasets.joined(separator: ", "))
        let options = a.observerOptions.keys.sorted().map { "\($0): \(a.observerOptions[$0].map { "\($0)" } ?? "")" }
        s += fact("Observer", a.observer + (options.isEmpty ? "" : " (\(options.joined(separator: ", ")))"))
        var counted = "\(a.elementCount)"
        if a.nanCount > 0 || a.infCount > 0 { counted += " (\(a.nanCount) NaN, \(a.infCount) ±Inf left out)" }
        s += fact("Elements observed", counted)
        s += fact("Observed range", range(a.observedMin.map(Double.init), a.observedMax.map(Double.init)))
        s += fact("Chosen range", range(Double(a.rangeMin), Double(a.rangeMax)))
        s += fact(
            "Clipped mass", HTML.percent(a.clippingFraction) + " of the finite values lie outside the chosen range")
        let granularity = a.granularity.map { " \($0) along axis \(a.axis.map(String.init) ?? "?")" } ?? ""
        s += fact("Codes", "\(a.format) (\(a.qmin)…\(a.qmax)), \(a.scheme)\(granularity), \(a.profile), \(a.rounding)")
        if let scale = a.scale, let zp = a.zeroPoint {
            s += fact("Scale, zero point", "\(HTML.number(Double(scale), digits: 6)), \(zp)")
        }
        s += "</dl>\n"
        s += candidates(
            scheme: a.scheme, reason: a.schemeReason, symmetric: a.symmetricError, asymmetric: a.asymmetricError)
        s += "</div></div>\n"
        if let scales = a.scales, let low = a.channelRangeMin, let high = a.channelRangeMax, scales.count > 1 {
            let channels = ChannelParameters(low: low, high: high, scales: scales)
            s += channelFigure(
                channels, unit: "channel", what: "chosen range", title: "Per-channel ranges of the input of \(layer)")
        }
        return s + "</div>\n"
    }

    /// The candidates `auto` compared and the reason for the choice (or that the configuration fixed it).
    func candidates(scheme: String, reason: String?, symmetric: Double?, asymmetric: Double?) -> String {
        guard symmetric != nil || asymmetric != nil else {
            return "<p class=\"reason\">Scheme \(HTML.escape(scheme))"
                + (reason.map { ": \(HTML.escape($0))" } ?? " (fixed by the configuration)") + ".</p>\n"
        }
        var s = "<table class=\"candidates\"><thead><tr><th>Candidate</th><th>Mean squared error</th><th></th></tr>"
        s += "</thead><tbody>"
        for (name, error) in [("symmetric", symmetric), ("asymmetric", asymmetric)] {
            let chosen = name == scheme
            s += "<tr\(chosen ? " class=\"chosen-row\"" : "")><td>\(name)</td>"
            s += "<td class=\"num\">\(error.map { HTML.number($0, digits: 4) } ?? "not evaluated")</td>"
            s += "<td>\(chosen ? "chosen" : "")</td></tr>"
        }
        s += "</tbody></table>\n"
        if let reason { s += "<p class=\"reason\">\(HTML.escape(reason))</p>\n" }
        return s
    }

    /// One tensor: format and metrics, its SQNR bar, its per-channel parameters.
    func tensorBlock(_ t: TensorRecord) -> String {
        var s = "<div class=\"tensor\"><h4><code>\(HTML.escape(t.dataset))</code> "
        s += "<span class=\"muted\">\(HTML.escape(t.role)), \(HTML.escape(t.originalDtype)) "
        s += "\(HTML.escape(t.originalShape.map(String.init).joined(separator: "×")))</span></h4>\n"
        guard let q = t.quantization else {
            return s
                + "<p class=\"muted\">Stored as float32\(t.note.map { " (\(HTML.escape($0)))" } ?? "").</p></div>\n"
        }
        s += "<div class=\"pair\">"
        if let channels = data.channels[t.dataset] {
            let unit = q.granularity == "per-channel" ? "channel" : (q.granularity == "per-group" ? "group" : "block")
            s += channelFigure(
                channels, unit: unit, what: "range of the stored (dequantized) values",
                title: "Per-\(unit) ranges of \(t.dataset)")
        }
        s += "<div class=\"side\">"
        if let sqnr = t.metrics?.sqnrDecibels {
            let bar = BarChart(
                rows: [BarChart.Row(label: "SQNR", values: [sqnr])], kind: "tensor-sqnr", title: "SQNR of \(t.dataset)",
                width: 400, labelWidth: 44, valueWidth: 76)
            s += bar.svg
        }
        s += "<dl class=\"facts\">"
        var grain = q.granularity
        if let axis = q.axis { grain += " along axis \(axis)" }
        if let size = q.groupSize { grain += ", groups of \(size)" }
        s += fact("Codes", "\(q.format) (\(q.bits) bits, \(q.qmin)…\(q.qmax)), \(q.scheme), \(grain), \(q.profile)")
        s += fact("Rounding", q.method?.summary ?? "rtn")
        if let m = t.metrics {
            s += fact(
                "Error",
                "SQNR \(HTML.number(m.sqnrDecibels, digits: 4)) dB, MSE \(HTML.number(m.mse)), max |error| "
                    + HTML.number(m.maxAbsError))
        }
        s += "</dl>\n"
        s += candidates(
            scheme: q.scheme, reason: q.schemeReason, symmetric: q.symmetricError, asymmetric: q.asymmetricError)
        return s + "</div></div></div>\n"
    }

    /// The channel plot with its caption and the outliers listed.
    func channelFigure(_ channels: ChannelParameters, unit: String, what: String, title: String) -> String {
        var s = "<figure>\(ChannelPlot(channels: channels, unit: unit, title: title).svg)<figcaption>"
        s += channels.isRange ? "Each \(unit)'s \(what)" : "Each \(unit)'s scale"
        if let scales = channels.scaleRange {
            s += " (scales \(HTML.number(scales.low, digits: 3)) … \(HTML.number(scales.high, digits: 3)))"
        }
        s += "; <span class=\"key-clipped\">red</span>: outliers (magnitude above "
        s += "\(HTML.number(ChannelParameters.outlierFactor, digits: 2))× the median "
        s += "\(HTML.number(channels.median, digits: 3))). "
        if channels.outliers.isEmpty {
            s += "No outlier among \(channels.count) \(unit)s."
        } else {
            let listed = channels.outliers.prefix(12).map(String.init).joined(separator: ", ")
            let more = channels.outliers.count > 12 ? ", …" : ""
            let n = channels.outliers.count
            s += "<strong>\(n) outlier \(unit)\(n == 1 ? "" : "s") of \(channels.count)</strong>: \(listed)\(more)."
        }
        return s + "</figcaption></figure>\n"
    }

    /// `[low, high]` for people.
    func range(_ low: Double?, _ high: Double?) -> String {
        guard let low, let high else { return "none (no finite value)" }
        return "[\(HTML.number(low, digits: 5)), \(HTML.number(high, digits: 5))]"
    }
}
