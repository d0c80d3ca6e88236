import Foundation
import HDF5
import PTQKit
import TestSupport
import Testing

/// `weights: method: awq` on the bundled digits network: the package stores s beside each weight, dequantizes to
/// the original domain (deq(q)·diag(s)⁻¹), never does worse than round-to-nearest on the layer's output error over
/// the calibration rows, and `ptq verify` refuses a damaged s.
@Suite("weights: method awq")
struct AWQMethodTests {
    static let config = "Configs/w4-g128-awq.yaml"

    /// SQNR in dB of `restored` against `reference`.
    static func sqnr(_ reference: [Float], _ restored: [Float]) -> Double {
        var (signal, noise) = (0.0, 0.0)
        for (a, b) in zip(reference, restored) {
            signal += Double(a) * Double(a)
            noise += (Double(a) - Double(b)) * (Double(a) - Double(b))
        }
        return 10 * log10(signal / max(noise, .leastNonzeroMagnitude))
    }

    /// Σ_n ‖(Ŵ − W)·x_n‖² over the calibration rows of `layer` (W `[out, in]`).
    static func outputError(_ restored: [Float], _ w: [Float], layer: String) throws -> Double {
        let xs = try File(WeightMethodTests.activations).openDataset("/\(layer)")
        let x = try xs.read(as: Float.self)
        let (rows, d) = (xs.shape[0], xs.shape[1])
        var total = 0.0
        for n in 0..<rows {
            for o in 0..<(w.count / d) {
                var e = 0.0
                for i in 0..<d { e += Double(restored[o * d + i] - w[o * d + i]) * Double(x[n * d + i]) }
                total += e * e
            }
        }
        return total
    }

    @Test func dequantizeRestoresTheOriginalDomainAndBeatsRoundToNearest() throws {
        let directory = try scratchDirectory("awq-domain")
        defer { try? FileManager.default.removeItem(at: directory) }
        let rtnConfig = directory.appendingPathComponent("rtn.yaml").path
        let text = try String(contentsOfFile: Self.config, encoding: .utf8)
        try Data(
            text.replacingOccurrences(of: "method: awq", with: "method: rtn")
                .replacingOccurrences(of: "  alpha-grid: 20\n", with: "").utf8
        ).write(to: URL(fileURLWithPath: rtnConfig))
        let packages = (
            rtn: directory.appendingPathComponent("rtn.ptq").path, awq: directory.appendingPathComponent("awq.ptq").path
        )
        for (config, package) in [(rtnConfig, packages.rtn), (Self.config, packages.awq)] {
            let run = try WeightMethodTests.calibrate(config, package)
            try #require(run.status == 0, "\(run.stderr)")
        }
        let verify = try PTQProcess.run(["verify", packages.awq, "--against", WeightMethodTests.weights])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let rtn = try PackageReader(path: packages.rtn)
        let awq = try PackageReader(path: packages.awq)
        let floats = try File(WeightMethodTests.weights)
        var scaledLayers = 0
        for layer in ["fc1", "fc2", "fc3"] {
            let dataset = "/\(layer)/weight"
            let w = try floats.openDataset(dataset).read(as: Float.self)
            let a = try #require(awq.manifest.tensors.first { $0.dataset == dataset })
            let r = try #require(rtn.manifest.tensors.first { $0.dataset == dataset })
            let (axis, s) = try #require(try awq.inputScales(of: a), "\(layer): no input scale")
            #expect(axis == 1 && s.count == a.originalShape[1], "\(layer)")
            #expect(s.allSatisfy { $0.isFinite && $0 > 0 }, "\(layer)")
            if s.contains(where: { $0 != 1 }) { scaledLayers += 1 }
            let restored = try awq.dequantized(a)
            // the codes quantize W·diag(s): dividing by s restores W's domain. AWQ trades weight error for output
            // error (inputs that are rarely active get small s and coarse rounding), so its weight SQNR sits below
            // round-to-nearest's; the codes' own domain W·diag(s) is far from W.
            let quality = Self.sqnr(w, restored)
            let rtnQuality = Self.sqnr(w, try rtn.dequantized(r))
            let undivided = Self.sqnr(w, restored.indices.map { restored[$0] * s[$0 % s.count] })
            #expect(quality > 8 && quality > undivided + 10, "\(layer): SQNR \(quality) dB, W·diag(s) \(undivided)")
            let awqError = try Self.outputError(restored, w, layer: layer)
            let rtnError = try Self.outputError(rtn.dequantized(r), w, layer: layer)
            #expect(awqError <= rtnError * (1 + 1e-6), "\(layer): AWQ \(awqError), RTN \(rtnError)")
            print(
                "awq \(layer): weight SQNR \(quality) dB (RTN \(rtnQuality), W·diag(s) \(undivided)), output error "
                    + "AWQ \(awqError), RTN \(rtnError)")
        }
        #expect(scaledLayers > 0, "every layer chose α = 0: the test shows nothing about s")
        // (the export targets without an input scale refuse the weight rather than write W·diag(s)'s codes)
        let ct = directory.appendingPathComponent("ct").path
        let export = try PTQProcess.run(["export", packages.awq, "--format", "compressed-tensors", "--output", ct])
        #expect(export.status != 0 && export.stderr.contains("diag(s)"), "\(export.stderr)")
    }

    @Test func verifyRefusesADamagedInputScale() throws {
        let directory = try scratchDirectory("awq-verify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = directory.appendingPathComponent("pkg").path
        let run = try WeightMethodTests.calibrate(Self.config, package)
        try #require(run.status == 0, "\(run.stderr)")
        let manifestPath = package + "/manifest.json"
        let original = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let damaged = original.replacingOccurrences(of: "\"input_axis\" : 1", with: "\"input_axis_x\" : 1")
        try #require(damaged != original)
        try Data(damaged.utf8).write(to: URL(fileURLWithPath: manifestPath))
        let missing = try PTQProcess.run(["verify", package])
        #expect(missing.status != 0 && (missing.stdout + missing.stderr).contains("awq records alpha"))
        try Data(original.utf8).write(to: URL(fileURLWithPath: manifestPath))
        do {
            let file = try File("\(package)/tensors.h5", mode: .readWrite)
            try file.openDataset("/fc2/weight.input_scale").write([Float(-1)], startingAt: 3)
        }
        let negative = try PTQProcess.run(["verify", package])
        #expect(negative.status != 0, "\(negative.stdout)")
        #expect((negative.stdout + negative.stderr).contains("s[3] = -1.0 is not finite and positive"))
    }
}
