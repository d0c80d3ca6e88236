/// A horizontal bar chart of SQNR values in dB, one row per item; up to two series per row (the second
/// drawn thinner on top, e.g. weights only and with activations).
struct BarChart {
    /// One row: its label and up to two values (`nil`: not applicable, shown as `n/a`).
    struct Row {
        var label: String
        var values: [Double?]
    }

    /// The rows, in display order.
    var rows: [Row]
    /// The `data-plot` name (for tests and styling).
    var kind: String
    /// Text for the plot's `<title>` (escaped here).
    var title: String
    /// The classes of the series' bars.
    var seriesClasses: [String] = ["bar", "bar2"]

    /// Width of the whole chart, of the label column and of the value column (user units = CSS pixels).
    var width = 640.0
    var labelWidth = 230.0
    var valueWidth = 110.0
    static let rowHeight = 20.0

    /// The `<svg>` element.
    var svg: String {
        let height = Double(rows.count) * Self.rowHeight + 24
        let finite = rows.flatMap(\.values).compactMap { $0 }.filter(\.isFinite)
        // The scale runs from min(0, smallest) to max(60 dB, largest).
        let lo = min(0, finite.min() ?? 0)
        let hi = max(60, finite.max() ?? 0)
        let plotLeft = labelWidth
        let plotWidth = width - labelWidth - valueWidth
        let x = { (v: Double) in plotLeft + (v - lo) / (hi - lo) * plotWidth }
        var s = """
            <svg class="plot" data-plot="\(kind)" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" role="img">\
            <title>\(HTML.escape(title))</title>
            """
        for (i, row) in rows.enumerated() {
            let top = Double(i) * Self.rowHeight + 4
            let label = row.label.count > 34 ? "…" + row.label.suffix(33) : row.label
            s += text(plotLeft - 6, top + 13, label, anchor: "end")
            for (k, value) in row.values.enumerated() {
                guard let value, value.isFinite else { continue }
                let thickness = k == 0 ? 14.0 : 6.0
                let y = top + (14 - thickness) / 2
                let cls = seriesClasses[min(k, seriesClasses.count - 1)]
                s += rect(min(x(0), x(value)), y, abs(x(value) - x(0)), thickness, cls: cls)
            }
            let shown = row.values.map { $0.map { HTML.number($0, digits: 3) } ?? "n/a" }.joined(separator: " / ")
            s += text(plotLeft + plotWidth + 6, top + 13, shown + " dB")
        }
        let axisY = Double(rows.count) * Self.rowHeight + 6
        s += line(plotLeft, 2, plotLeft, axisY, cls: "axis")
        var tick = (lo / 20).rounded(.down) * 20
        while tick <= hi {
            s += line(x(tick), axisY, x(tick), axisY + 3, cls: "axis")
            s += text(x(tick), axisY + 15, HTML.number(tick, digits: 3), anchor: "middle")
            tick += 20
        }
        s += "</svg>"
        return s
    }
}
