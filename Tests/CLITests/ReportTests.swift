import Foundation
import PTQKit
import TestSupport
import Testing

/// `ptq report`: the HTML page of the bundled demo package rendered by a real browser (Debian's
/// `chromium`, headless: a screenshot and the DOM after its scripts ran, with every console message
/// captured), parsed by a strict HTML5 parser (html5lib, `Tests/Interop/check_report.py`), names from user
/// files escaped, the evaluation document read strictly, and the command's exit codes.
///
/// The browser and parser checks skip visibly without chromium or a Python with html5lib, unless
/// `PTQ_REQUIRE_INTEROP=1` (CI, where `make test-deps` installs chromium and `make test-venv` html5lib).
@Suite struct ReportTests {
    static let python = InteropPython.find(importing: ["html5lib"])
    static let pythonSkip: Comment = "SKIPPED: no Python with html5lib (make test-venv, or set PTQ_PYTHON)"
    static let chromium: String? = {
        var candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        if let chosen = ProcessInfo.processInfo.environment["PTQ_CHROMIUM"] { candidates.insert(chosen, at: 0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let chromiumSkip: Comment = "SKIPPED: no chromium (apt-get install chromium, or set PTQ_CHROMIUM)"
    static let checker = PTQProcess.repository.appendingPathComponent("Tests/Interop/check_report.py").path
    static let layers = ["fc1", "fc2", "fc3"]

    /// The demo package (`make demo`'s: the digits network, W8A8 per channel) in `scratch`.
    static func demoPackage(in scratch: CalibrateTests.Scratch) throws -> String {
        let output = "\(scratch.path)/w8a8"
        try CalibrateTests.calibrate([
            "--weights", CalibrateTests.weights, "--activations", CalibrateTests.activations,
            "--config", "Configs/w8a8-per-channel.yaml", "--output", output,
        ])
        return output
    }

    /// Runs `ptq report` and requires success; the page's text.
    @discardableResult
    static func report(_ arguments: [String], output: String) throws -> String {
        let result = try PTQProcess.run(["report"] + arguments + ["-o", output])
        try #require(result.status == 0, "ptq report \(arguments): \(result.stderr)")
        #expect(result.stderr.contains("wrote \(output)"))
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    /// `check_report.py`'s description of the parsed page (fails the test when html5lib finds a parse error).
    static func parsed(_ html: String) throws -> [String: Any] {
        let python = try #require(python, "PTQ_REQUIRE_INTEROP=1 but no Python with html5lib was found")
        let (status, output) = try InteropPython.run(python, [checker, html])
        try #require(status == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").last.map(String.init))
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// Headless chromium on `file`, with `mode` (`--dump-dom` or `--screenshot=...`); its stdout and stderr.
    static func browse(_ file: String, _ mode: [String], scratch: String) throws -> PTQProcess.Result {
        let chromium = try #require(chromium, "PTQ_REQUIRE_INTEROP=1 but chromium was not found")
        let arguments = [
            "120", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=\(scratch)/chromium-profile", "--enable-logging=stderr", "--v=0",
        ]
        let result = try PTQProcess.run(program: "/usr/bin/timeout", arguments + mode + ["file://\(file)"])
        try #require(result.status == 0, "chromium \(mode): exit \(result.status): \(result.stderr)")
        return result
    }

    /// Counts of `needle` in `text`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test(.enabled(if: chromium != nil || InteropPython.required, chromiumSkip))
    func demoReportRendersInChromiumWithoutConsoleErrors() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let file = "\(scratch.path)/report.html"
        try Self.report([package], output: file)
        let dom = try Self.browse(file, ["--dump-dom"], scratch: scratch.path)
        // The scripts ran (the sorter set its mark) and the error hook recorded nothing.
        #expect(dom.stdout.contains("data-report-script=\"ran\""), "\(dom.stdout.prefix(400))")
        #expect(!dom.stdout.contains("data-report-errors="))
        let console = dom.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console messages: \(console)")
        for layer in Self.layers {
            #expect(dom.stdout.contains("data-layer=\"\(layer)\""), "no section for \(layer)")
            #expect(dom.stdout.contains("<tr data-name=\"\(layer)\""), "no table row for \(layer)")
        }
        // One histogram per activation, one channel plot per per-channel weight (biases are int32: none),
        // one SQNR bar per quantized tensor and the overview.
        #expect(Self.count("data-plot=\"histogram\"", in: dom.stdout) == 3)
        #expect(Self.count("data-plot=\"channels\"", in: dom.stdout) == 3)
        #expect(Self.count("data-plot=\"tensor-sqnr\"", in: dom.stdout) == 6)
        #expect(Self.count("data-plot=\"weight-sqnr\"", in: dom.stdout) == 1)

        let png = "\(scratch.path)/report.png"
        let shot = try Self.browse(file, ["--screenshot=\(png)", "--window-size=1200,1600"], scratch: scratch.path)
        #expect(shot.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.isEmpty, "\(shot.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        try #require(bytes.count > 24, "no screenshot")
        #expect(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height, big-endian, at bytes 16…23.
        let be = { (i: Int) in bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be(16) == 1200 && be(20) == 1600, "screenshot is \(be(16))×\(be(20))")
    }

    @Test(.enabled(if: python != nil || InteropPython.required, pythonSkip))
    func demoReportIsStrictHTML5AndSelfContained() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let file = "\(scratch.path)/report.html"
        let html = try Self.report([package], output: file)
        let tree = try Self.parsed(file)
        #expect(tree["layers"] as? [String] == Self.layers)
        #expect(tree["rows"] as? [String] == Self.layers)
        #expect(tree["external"] as? [String] == [], "references outside the file: \(tree["external"] ?? "")")
        #expect(tree["generator"] as? [String] == ["ptq report"])
        let plots = try #require(tree["plots"] as? [String: Int])
        #expect(plots["histogram"] == 3 && plots["channels"] == 3 && plots["weight-sqnr"] == 1, "\(plots)")
        // What the page says comes from the package: each activation's recorded range and candidates.
        let manifest = try CalibrateTests.manifest(package)
        for layer in manifest.layers {
            let a = try #require(layer.activation)
            #expect(html.contains("\(a.schemeReason ?? "?")"), "\(layer.name): no reason")
            #expect(a.histogram != nil, "\(layer.name): no histogram in the manifest")
        }
        #expect(html.contains("xxh3_128"))
        for input in manifest.inputs { #expect(html.contains(input.fingerprint?.hex ?? "?")) }
    }

    @Test func namesFromUserFilesAreEscaped() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let hostile = "fc<1> & \"x\" 'y' </script><b onload=alert(1)>"
        // The layer name and a dataset path as a user file could give them (the report reads no dataset by
        // its layer name; tensors.h5 is not touched).
        let path = "\(package)/manifest.json"
        var manifest = try Manifest.decode(Data(contentsOf: URL(fileURLWithPath: path)), path: path)
        manifest.layers[0].name = hostile
        manifest.layers[0].activation?.datasets = ["/a<b>&\"c\""]
        try manifest.encoded().write(to: URL(fileURLWithPath: path))
        let file = "\(scratch.path)/report.html"
        let html = try Self.report([package], output: file)
        #expect(!html.contains("<b onload"))
        #expect(!html.contains("fc<1>"))
        #expect(html.contains("fc&lt;1&gt; &amp; &quot;x&quot; &#39;y&#39; &lt;/script&gt;&lt;b onload=alert(1)&gt;"))
        #expect(html.contains("/a&lt;b&gt;&amp;&quot;c&quot;"))
        if Self.python != nil || InteropPython.required {
            let tree = try Self.parsed(file)
            #expect((tree["layers"] as? [String])?.first == hostile)
            #expect((tree["rows"] as? [String])?.first == hostile)
        }
    }

    @Test func outlierAndDeadChannelsOfARealPackageWithAHostileName() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        // A 16 × 8 weight: channel 3 fifty times the others, channel 5 all zeros (scale 1 by the unit-scale
        // policy, but its stored values span [0, 0]: not an outlier). The layer's name comes from the path.
        let weights = "\(scratch.path)/weights.h5"
        do {
            let file = try File(weights, mode: .truncate)
            let dataset = try file.createDataset("/fc<&\"'>/weight", type: .float32, shape: [16, 8])
            try dataset.write(
                (0..<128).map { i in
                    let row = i / 8
                    return row == 5 ? 0 : (Float(i) / 64 - 1) * (row == 3 ? 50 : 1)
                })
        }
        let config = "\(scratch.path)/per-channel.yaml"
        try Data("weights: {granularity: per-channel}\n".utf8).write(to: URL(fileURLWithPath: config))
        let package = "\(scratch.path)/pkg"
        try CalibrateTests.calibrate(["--weights", weights, "--config", config, "--output", package])
        let file = "\(scratch.path)/report.html"
        let html = try Self.report([package], output: file)
        #expect(html.contains("<strong>1 outlier channel of 16</strong>: 3."), "outliers not marked as expected")
        #expect(html.contains("data-layer=\"fc&lt;&amp;&quot;&#39;&gt;\""))
        #expect(!html.contains("fc<&"))
        if Self.python != nil || InteropPython.required {
            #expect((try Self.parsed(file)["layers"] as? [String]) == ["fc<&\"'>"])
        }
    }

    @Test func evaluationIsRankedWorstFirst() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let evaluation = "\(scratch.path)/evaluation.json"
        try Data(
            """
            {"format": "ptqkit-evaluation", "version": 1, "package": "w8a8", "activations": "heldout.h5",
             "layers": [
              {"layer": "fc3", "dataset": "/fc3", "rows": 300, "weights_only_sqnr_db": 33.5,
               "with_activations_sqnr_db": 21.75},
              {"layer": "fc2", "dataset": "/fc2", "rows": 300, "weights_only_sqnr_db": 40.25,
               "with_activations_sqnr_db": null},
              {"layer": "fc1", "dataset": "/fc1", "rows": 300, "weights_only_sqnr_db": 29.0,
               "with_activations_sqnr_db": 12.5}]}
            """.utf8
        ).write(to: URL(fileURLWithPath: evaluation))
        let html = try Self.report([package, "--evaluation", evaluation], output: "\(scratch.path)/report.html")
        #expect(Self.count("data-plot=\"output-sqnr\"", in: html) == 1)
        // Worst first by the SQNR with activations (weights only where that is null): fc1 12.5, fc3 21.75,
        // fc2 40.25.
        let after = try #require(html.components(separatedBy: "id=\"output-sqnr\"").last)
        let section = try #require(after.components(separatedBy: "</section>").first)
        let order = ["fc1", "fc3", "fc2"].map { name in section.range(of: "<code>\(name)</code>")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "ranking is not fc1, fc3, fc2")
        #expect(section.contains("12.5") && section.contains("21.75") && section.contains("40.25"))
        #expect(html.contains("data-osqnr=\"12.5\""))
    }

    /// The real `ptq evaluate --json -o` file feeds the report: every measured layer in its section, worst
    /// first by the figure evaluate ranks by.
    @Test(.enabled(if: InteropPython.find(importing: ["h5py", "numpy"]) != nil || InteropPython.required))
    func evaluateOutputFeedsTheReport() throws {
        let python = try #require(InteropPython.find(importing: ["h5py", "numpy"]), "no python3 with h5py, numpy")
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let heldout = "\(scratch.path)/heldout.h5"
        let made = try InteropPython.run(
            python, [TestPaths.inRepository("Calibration/make_heldout_activations.py").path, heldout])
        try #require(made.status == 0, "\(made.output)")
        let evaluation = "\(scratch.path)/evaluation.json"
        let evaluated = try PTQProcess.run(["evaluate", package, "--activations", heldout, "--json", "-o", evaluation])
        try #require(evaluated.status == 0, "\(evaluated.stderr)")
        let document = try PTQProcess.json(try String(contentsOfFile: evaluation, encoding: .utf8))
        let layers = try #require(document["layers"] as? [[String: Any]])
        let ranked = layers.compactMap { $0["layer"] as? String }
        #expect(Set(ranked) == ["fc1", "fc2", "fc3"], "\(layers)")
        let html = try Self.report([package, "--evaluation", evaluation], output: "\(scratch.path)/report.html")
        let after = try #require(html.components(separatedBy: "id=\"output-sqnr\"").last)
        let section = try #require(after.components(separatedBy: "</section>").first)
        let positions = ranked.map { section.range(of: "<code>\($0)</code>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(section)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "not in evaluate's order")
    }

    @Test func evaluationsOfAnotherFormatOrVersionAreRefused() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let cases: [(name: String, text: String, message: String)] = [
            ("v2.json", #"{"format": "ptqkit-evaluation", "version": 2, "layers": []}"#, "version is 2"),
            ("other.json", #"{"format": "ptqkit-model-package", "version": 1, "layers": []}"#, "format is"),
            ("noversion.json", #"{"format": "ptqkit-evaluation", "layers": []}"#, "version is missing"),
            ("array.json", "[1, 2]", "not a JSON object"),
            (
                "badsqnr.json",
                #"{"format": "ptqkit-evaluation", "version": 1, "layers": [{"layer": "fc1", "weights_only_sqnr_db": "x"}]}"#,
                "layers[0]"
            ),
        ]
        for c in cases {
            let path = "\(scratch.path)/\(c.name)"
            try Data(c.text.utf8).write(to: URL(fileURLWithPath: path))
            let output = "\(scratch.path)/\(c.name).html"
            let result = try PTQProcess.run(["report", package, "--evaluation", path, "-o", output])
            #expect(result.status == 65, "\(c.name): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(path) && result.stderr.contains(c.message), "\(c.name): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        let missing = try PTQProcess.run([
            "report", package, "--evaluation", "\(scratch.path)/none.json", "-o", "\(scratch.path)/r.html",
        ])
        #expect(missing.status == 66 && missing.stderr.contains("none.json: no such file"), "\(missing.stderr)")
    }

    @Test func exitCodesAndAtomicOutput() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let output = "\(scratch.path)/report.html"
        let missing = try PTQProcess.run(["report", "\(scratch.path)/nope", "-o", output])
        #expect(missing.status == 66 && missing.stderr.contains("nope: no such file or directory"))
        let usage = try PTQProcess.run(["report", package])
        #expect(usage.status == 64)
        try Self.report([package], output: output)
        let exists = try PTQProcess.run(["report", package, "--output", output])
        #expect(exists.status == 73 && exists.stderr.contains("output exists"), "\(exists.stderr)")
        try Self.report([package, "--force"], output: output)
        // --force never replaces a file ptq report did not write.
        let other = "\(scratch.path)/notes.html"
        try Data("<!DOCTYPE html><p>mine</p>".utf8).write(to: URL(fileURLWithPath: other))
        let refused = try PTQProcess.run(["report", package, "-o", other, "--force"])
        #expect(refused.status == 73 && refused.stderr.contains("not a report"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "<!DOCTYPE html><p>mine</p>")
        let noParent = try PTQProcess.run(["report", package, "-o", "\(scratch.path)/no/such/dir/r.html"])
        #expect(noParent.status == 73, "\(noParent.stderr)")
        // A damaged manifest: 65, naming it; nothing written, no partial file left.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(package)/manifest.json"))
        let damaged = try PTQProcess.run(["report", package, "-o", "\(scratch.path)/damaged.html"])
        #expect(damaged.status == 65 && damaged.stderr.contains("manifest.json"), "\(damaged.stderr)")
        #expect(try scratch.entries() == ["notes.html", "report.html", "w8a8"])
    }

    @Test func packagesWithoutHistogramsStillReport() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = TestPaths.fixture("package-v1/w8a8").path
        let html = try Self.report([package], output: "\(scratch.path)/v1.html")
        #expect(Self.count("data-plot=\"histogram\"", in: html) == 0)
        #expect(Self.count("No histogram recorded", in: html) == 3)
        #expect(html.contains("written before activation histograms were recorded"))
        for layer in Self.layers { #expect(html.contains("data-layer=\"\(layer)\"")) }
        #expect(Self.count("data-plot=\"channels\"", in: html) == 3)
    }

    @Test func verifyChecksTheRecordedHistogram() throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = try Self.demoPackage(in: scratch)
        let manifest = try CalibrateTests.manifest(package)
        for layer in manifest.layers {
            let a = try #require(layer.activation)
            let h = try #require(a.histogram, "\(layer.name) has no histogram")
            #expect(h.counts.reduce(0, +) == a.elementCount - a.nanCount - a.infCount)
            #expect(h.counts.count <= 256 && h.counts.count >= 2, "\(h.counts.count) bins")
        }
        let path = "\(package)/manifest.json"
        var edited = manifest
        edited.layers[1].activation?.histogram?.counts[0] += 1
        try edited.encoded().write(to: URL(fileURLWithPath: path))
        let result = try PTQProcess.run(["verify", package])
        #expect(result.status == 65)
        #expect(result.stderr.contains("layer fc2 activation: histogram counts add up to"), "\(result.stderr)")
    }
}
