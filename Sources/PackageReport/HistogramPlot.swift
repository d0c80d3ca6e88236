import Foundation
internal import PackageFormat

/// The SVG of an activation's histogram: log-scaled counts per bin, the bins wholly beyond the clamping
/// limits (clipped) in a second colour, the chosen range as a band with its ends marked, the observed range
/// dashed.
struct HistogramPlot {
    /// The compact histogram.
    var histogram: ActivationHistogramRecord
    /// Smallest and largest finite value observed.
    var observed: (low: Double, high: Double)?
    /// The range the observer chose.
    var chosen: (low: Double, high: Double)
    /// Where codes start to clamp: `s·(qmin − z − ½)` and `s·(qmax − z + ½)` per tensor; the chosen range
    /// when there is no single scale (per channel, minifloat).
    var clamp: (low: Double, high: Double)
    /// Text for the plot's `<title>` (escaped here).
    var title: String

    static let width = 640.0
    static let height = 210.0
    static let left = 52.0, right = 12.0, top = 12.0, bottom = 40.0

    /// The `<svg>` element.
    var svg: String {
        let h = histogram
        var lo = min(h.lowerEdge, chosen.low)
        var hi = max(h.upperEdge, chosen.high)
        if !(hi > lo) {
            lo -= 0.5
            hi += 0.5
        }
        let pad = (hi - lo) * 0.02
        lo -= pad
        hi += pad
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let x = { (v: Double) in Self.left + (v - lo) / (hi - lo) * plotWidth }
        let base = Self.top + plotHeight
        let maxCount = Double(h.counts.max() ?? 0)
        let logMax = log10(maxCount + 1)
        let y = { (c: Int) in base - (logMax > 0 ? log10(Double(c) + 1) / logMax * plotHeight : 0) }
        var inside = ""
        var clipped = ""
        for (i, count) in h.counts.enumerated() where count > 0 {
            let a = h.lowerEdge + Double(i) * h.binWidth
            let b = a + h.binWidth
            // A bin at least one pixel wide so that a narrow histogram stays visible.
            let xa = x(a)
            let xb = max(x(b), xa + 1)
            let d =
                "M\(HTML.coordinate(xa)) \(HTML.coordinate(base))V\(HTML.coordinate(y(count)))"
                + "H\(HTML.coordinate(xb))V\(HTML.coordinate(base))Z"
            // A bin counts as clipped when it lies wholly beyond a clamping limit (a bin that straddles or starts at one is
            // drawn as kept: the histogram cannot tell on which side its values are).
            if a > clamp.high || b < clamp.low { clipped += d } else { inside += d }
        }
        var s = """
            <svg class="plot" data-plot="histogram" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" \
            width="\(Int(Self.width))" height="\(Int(Self.height))" role="img">\
            <title>\(HTML.escape(title))</title>
            """
        let band = (x(chosen.low), x(chosen.high))
        s += rect(band.0, Self.top, max(band.1 - band.0, 1), plotHeight, cls: "chosen-band")
        s += "<path class=\"bins\" d=\"\(inside.isEmpty ? "M0 0" : inside)\"/>"
        if !clipped.isEmpty { s += "<path class=\"bins-clipped\" d=\"\(clipped)\"/>" }
        for end in [band.0, band.1] { s += line(end, Self.top, end, base, cls: "chosen") }
        if let observed {
            for v in [observed.low, observed.high] { s += line(x(v), Self.top, x(v), base, cls: "observed") }
        }
        // Axes: x at the bottom, y on the left; ticks at the ends, at 0, and at the powers of ten of the count.
        s += line(Self.left, base, Self.width - Self.right, base, cls: "axis")
        s += line(Self.left, Self.top, Self.left, base, cls: "axis")
        var ticks = [lo + pad, hi - pad]
        if lo < 0, hi > 0 { ticks.append(0) }
        for t in Set(ticks).sorted() {
            s += line(x(t), base, x(t), base + 4, cls: "axis")
            s += text(x(t), base + 16, HTML.number(t, digits: 3), anchor: "middle")
        }
        var power = 1
        while Double(power) <= maxCount {
            s += text(
                Self.left - 4, y(power) + 4, power >= 1000 ? "1e\(Int(log10(Double(power))))" : "\(power)",
                anchor: "end")
            s += line(Self.left - 3, y(power), Self.left, y(power), cls: "axis")
            if power > Int.max / 10 { break }
            power *= 10
        }
        s += text(
            Self.left + plotWidth / 2, Self.height - 4, "value (bin width \(HTML.number(h.binWidth, digits: 3)))",
            anchor: "middle")
        s += "</svg>"
        return s
    }
}

/// `<line>` from (x1, y1) to (x2, y2) of class `cls`.
func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String) -> String {
    "<line class=\"\(cls)\" x1=\"\(HTML.coordinate(x1))\" y1=\"\(HTML.coordinate(y1))\" "
        + "x2=\"\(HTML.coordinate(x2))\" y2=\"\(HTML.coordinate(y2))\"/>"
}

/// `<rect>` of class `cls`.
func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, cls: String) -> String {
    "<rect class=\"\(cls)\" x=\"\(HTML.coordinate(x))\" y=\"\(HTML.coordinate(y))\" "
        + "width=\"\(HTML.coordinate(max(w, 0)))\" height=\"\(HTML.coordinate(max(h, 0)))\"/>"
}

/// `<text>` at (x, y) with the escaped `content`.
func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", cls: String = "label") -> String {
    "<text class=\"\(cls)\" x=\"\(HTML.coordinate(x))\" y=\"\(HTML.coordinate(y))\" text-anchor=\"\(anchor)\">"
        + "\(HTML.escape(content))</text>"
}
