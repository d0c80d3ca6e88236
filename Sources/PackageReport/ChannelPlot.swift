/// The SVG of a tensor's per-channel (or per-group) ranges: one vertical bar per channel spanning its range
/// (or from 0 to its scale when only scales are known), outlier channels in the warning colour, the zero
/// line.
struct ChannelPlot {
    /// The parameters.
    var channels: ChannelParameters
    /// What a parameter is called on the axis (`channel`, `group`).
    var unit: String
    /// Text for the plot's `<title>` (escaped here).
    var title: String

    static let width = 640.0
    static let height = 170.0
    static let left = 60.0, right = 12.0, top = 10.0, bottom = 36.0

    /// The `<svg>` element.
    var svg: String {
        let bars = channels.bars
        var lo = min(0, bars.map(\.low).min() ?? 0)
        var hi = max(0, bars.map(\.high).max() ?? 0)
        if !(hi > lo) {
            lo = -1
            hi = 1
        }
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let y = { (v: Double) in Self.top + (hi - v) / (hi - lo) * plotHeight }
        let step = plotWidth / Double(max(bars.count, 1))
        var normal = ""
        var marked = ""
        for (i, bar) in bars.enumerated() {
            let x = Self.left + (Double(i) + 0.5) * step
            let top = y(bar.high)
            let bottom = max(y(bar.low), top + 1)
            let d = "M\(HTML.coordinate(x)) \(HTML.coordinate(bottom))V\(HTML.coordinate(top))"
            if bar.outlier { marked += d } else { normal += d }
        }
        let strokeWidth = HTML.coordinate(max(1, min(8, step * 0.7)))
        var s = """
            <svg class="plot" data-plot="channels" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" \
            width="\(Int(Self.width))" height="\(Int(Self.height))" role="img">\
            <title>\(HTML.escape(title))</title>
            """
        s += line(Self.left, y(0), Self.width - Self.right, y(0), cls: "axis")
        s += line(Self.left, Self.top, Self.left, Self.top + plotHeight, cls: "axis")
        if !normal.isEmpty { s += "<path class=\"channel\" stroke-width=\"\(strokeWidth)\" d=\"\(normal)\"/>" }
        if !marked.isEmpty { s += "<path class=\"channel-outlier\" stroke-width=\"\(strokeWidth)\" d=\"\(marked)\"/>" }
        for v in Set([lo, hi, 0]).sorted() {
            s += text(Self.left - 4, y(v) + 4, HTML.number(v, digits: 3), anchor: "end")
        }
        let per = bars.first.map { $0.last - $0.first + 1 } ?? 1
        let axis =
            per > 1
            ? "\(unit) 0…\(channels.count - 1) (\(per) per bar, each bar their envelope)"
            : "\(unit) 0…\(max(channels.count - 1, 0))"
        s += text(Self.left + plotWidth / 2, Self.height - 6, axis, anchor: "middle")
        s += "</svg>"
        return s
    }
}
