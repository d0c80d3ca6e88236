import Foundation
import PackageFormat
import Testing

@testable import PackageReport

/// The parts of `ptq report` that need no package: escaping, the outlier rule and bucketing of channel
/// plots, the histogram plot's clipped bins, and the strict reading of evaluation documents. The whole page
/// is tested through the CLI (`ReportTests`).
struct ReportPartsTests {
    @Test func escapingCoversMarkupQuotesAndControlCharacters() {
        #expect(HTML.escape(#"a<b>&"c"'d'"#) == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        #expect(HTML.escape("tab\tnew\nbell\u{7}del\u{7F}") == "tab\tnew\nbell\u{FFFD}del\u{FFFD}")
        #expect(HTML.escape("ünïcödé ✓") == "ünïcödé ✓")
    }

    @Test func outlierChannelsAreThoseFarAboveTheMedian() {
        // Magnitudes 1, 1, 1.1, 0.9, 4 (not above 4 × 1.05) and 10 (above): median 1.05.
        let high: [Float] = [1, 0.5, 1.1, 0.9, 4, 10]
        let low: [Float] = [-0.5, -1, 0, -0.2, -1, -3]
        let c = ChannelParameters(low: low, high: high, scales: high.map { $0 / 127 })
        #expect(c.outliers == [5])
        #expect(abs(c.median - 1.05) < 1e-6)
        #expect(c.scaleRange.map { abs($0.low - 0.5 / 127) < 1e-9 && abs($0.high - 10 / 127) < 1e-9 } == true)
        // A dead channel (no finite value: ±inf ends, or all zeros) is [0, 0], never an outlier.
        let dead = ChannelParameters(low: [-1, .infinity, 0], high: [1, -.infinity, 0], scales: [1, 1, 1])
        #expect(dead.low == [-1, 0, 0] && dead.high == [1, 0, 0] && dead.outliers == [])
        // All-zero scales have no outliers (median 0).
        #expect(ChannelParameters(scales: [0, 0, 0, 1]).outliers == [])
    }

    @Test func manyChannelsAreDrawnAsBucketEnvelopes() {
        var scales = [Float](repeating: 1, count: 2000)
        scales[1234] = 50
        let c = ChannelParameters(scales: scales)
        let bars = c.bars
        #expect(bars.count <= ChannelParameters.maxBars)
        #expect(bars.first?.first == 0 && bars.last?.last == 1999)
        #expect(bars.filter(\.outlier).count == 1)
        let marked = bars.first { $0.outlier }
        #expect(marked.map { (($0.first)...($0.last)).contains(1234) && $0.high == 50 } == true)
        let svg = ChannelPlot(channels: c, unit: "channel", title: "t").svg
        #expect(svg.contains("class=\"channel-outlier\"") && svg.contains("4 per bar"))
    }

    @Test func histogramBinsBeyondTheClampAreDrawnClipped() {
        let h = ActivationHistogramRecord(lowerEdge: -1, binWidth: 0.5, counts: [3, 5, 7, 2, 1, 1])
        let within = HistogramPlot(histogram: h, observed: (-1, 1.9), chosen: (-1, 2), clamp: (-1.1, 2.1), title: "x")
        #expect(!within.svg.contains("bins-clipped"))
        let clipped = HistogramPlot(histogram: h, observed: (-1, 1.9), chosen: (-1, 1), clamp: (-1.1, 1.1), title: "x")
        // Bins [1.5, 2) lies wholly beyond 1.1: drawn clipped; [1, 1.5) straddles it: drawn kept.
        #expect(clipped.svg.contains("bins-clipped"))
        #expect(clipped.svg.components(separatedBy: "class=\"bins-clipped\"").count == 2)
        #expect(clipped.svg.contains("<title>x</title>"))
    }

    @Test func evaluationIsReadStrictlyAndRankedWorstFirst() throws {
        let text = """
            {"format": "ptqkit-evaluation", "version": 1, "package": "p", "activations": "h.h5", "layers": [
              {"layer": "a", "dataset": "/a", "rows": 10, "weights_only_sqnr_db": 30, "with_activations_sqnr_db": null},
              {"layer": "b", "dataset": "/b", "rows": 10, "weights_only_sqnr_db": null, "with_activations_sqnr_db": null},
              {"layer": "c", "dataset": "/c", "rows": 10, "weights_only_sqnr_db": 40.5, "with_activations_sqnr_db": 20.25}]}
            """
        let e = try Evaluation(data: Data(text.utf8), path: "e.json")
        #expect(e.layers.map(\.layer) == ["c", "a", "b"])
        #expect(e.layers[0].withActivationsSQNR == 20.25 && e.layers[1].weightsOnlySQNR == 30)
        #expect(e.package == "p" && e.activations == "h.h5")
        let refused = [
            #"{"format": "ptqkit-evaluation", "version": "1", "layers": []}"#,
            #"{"format": "ptqkit-evaluation", "version": 1, "layers": {}}"#,
            #"{"format": "ptqkit-evaluation", "version": 1, "layers": [{"layer": ""}]}"#,
            #"{"format": "ptqkit-evaluation", "version": 1, "layers": [{"layer": "a", "rows": -1}]}"#,
            #"{"format": "ptqkit-evaluation", "version": 1, "layers": [{"layer": "a", "dataset": 3}]}"#,
            #"{"format": "PTQKIT-evaluation", "version": 1, "layers": []}"#,
        ]
        for document in refused {
            #expect(throws: ReportError.self, "\(document)") {
                try Evaluation(data: Data(document.utf8), path: "e.json")
            }
        }
        #expect(throws: ReportError.self) { try Evaluation(contentsOf: "/nonexistent/e.json") }
    }
}
