internal import JSON
internal import PackageFormat

extension ReportPage {
    /// The ranked output SQNR of an evaluation: worst first, weights only and with activations.
    func outputSQNR(_ evaluation: Evaluation) -> String {
        let known = Set(manifest.layers.map(\.name))
        var s = "<section id=\"output-sqnr\"><h2>Output SQNR</h2>\n<p class=\"hint\">From "
        s += "<code>\(HTML.escape(evaluation.path))</code>"
        if let a = evaluation.activations { s += " on the held-out activations <code>\(HTML.escape(a))</code>" }
        if let p = evaluation.package { s += " (package <code>\(HTML.escape(p))</code>)" }
        s += ": each layer's output computed with the quantized weights against the float output, worst first. "
        s += "Wide light bar: weights only (float inputs); narrow dark bar: with fake-quantized inputs; "
        s += "the numbers in that order.</p>\n"
        guard !evaluation.layers.isEmpty else { return s + "<p>The evaluation lists no layers.</p></section>\n" }
        let rows = evaluation.layers.map {
            BarChart.Row(label: $0.layer, values: [$0.weightsOnlySQNR, $0.withActivationsSQNR])
        }
        let chart = BarChart(
            rows: rows, kind: "output-sqnr", title: "Output SQNR per layer, worst first",
            seriesClasses: ["bar2", "bar"])
        s += "<figure>" + chart.svg
        s += "</figure>\n<table class=\"ranked\"><thead><tr><th>Rank</th><th>Layer</th><th>Dataset</th><th>Rows</th>"
        s += "<th>With activations (dB)</th><th>Weights only (dB)</th></tr></thead><tbody>\n"
        for (rank, l) in evaluation.layers.enumerated() {
            let missing = known.contains(l.layer) ? "" : " <span class=\"note\">(not in this package)</span>"
            s += "<tr><td class=\"num\">\(rank + 1)</td><td><code>\(HTML.escape(l.layer))</code>\(missing)</td>"
            s += "<td>\(HTML.escape(l.dataset ?? "–"))</td><td class=\"num\">\(l.rows.map(String.init) ?? "–")</td>"
            s += "<td class=\"num\">\(HTML.number(l.withActivationsSQNR, digits: 4))</td>"
            s += "<td class=\"num\">\(HTML.number(l.weightsOnlySQNR, digits: 4))</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// Inputs with sizes and fingerprints, the package's own hashes, and the effective configuration.
    var inputs: String {
        var s = "<section id=\"inputs\"><h2>Inputs and configuration</h2>\n<table class=\"inputs\"><thead><tr>"
        s += "<th>Role</th><th>Path</th><th>Size</th><th>Fingerprint</th></tr></thead><tbody>\n"
        for input in manifest.inputs {
            let digest =
                input.fingerprint.map {
                    "\(HTML.escape($0.algorithm.rawValue)) <code class=\"hash\">\(HTML.escape($0.hex))</code>"
                } ?? "none recorded"
            s += "<tr><td>\(HTML.escape(input.role.rawValue))</td><td><code>\(HTML.escape(input.path))</code></td>"
            s += "<td class=\"num\">\(input.size) bytes</td><td>\(digest)</td></tr>\n"
        }
        s += "</tbody></table>\n<dl class=\"facts\">"
        s += fact(
            "tensors.h5 \(manifest.tensorsDigest?.algorithm.displayName ?? "digest")",
            manifest.tensorsDigest?.hex ?? "not recorded")
        if let skeleton = manifest.skeletonDigest {
            s += fact("skeleton.h5 \(skeleton.algorithm.displayName)", skeleton.hex)
        }
        s += fact("manifest.json", "\(data.manifestBytes) bytes")
        s += "</dl>\n<h3>Effective configuration</h3>\n"
        s += "<pre class=\"config\">\(HTML.escape(manifest.config.rendered()))</pre>\n</section>\n"
        return s
    }

    /// What the columns and colours mean.
    var legend: String {
        """
        <section id="legend"><h2>Legend</h2><dl class="facts">\
        <dt>SQNR</dt><dd>signal-to-quantization-noise ratio, 10·log10(Σx² / Σ(x − x̂)²) in dB; each bit adds about \
        6 dB.</dd>\
        <dt>Clipped</dt><dd>share of the observed finite activation values outside the chosen range (they \
        saturate at the end codes).</dd>\
        <dt>Candidates</dt><dd>with scheme <code>auto</code>, the mean squared error of each scheme (activations: \
        expected on the exact histogram of everything observed; weights: on the tensor); asymmetric is taken \
        only when it lowers the error by the configured margin.</dd>\
        <dt>Outliers</dt><dd>channels whose range magnitude (max |value|) exceeds \
        \(HTML.number(ChannelParameters.outlierFactor, digits: 2))× the median channel's; they widen the \
        per-tensor alternative and may deserve a look.</dd>\
        <dt>int8n</dt><dd>narrow range: the most negative code is not used (−127…127).</dd></dl></section>

        """
    }
}
