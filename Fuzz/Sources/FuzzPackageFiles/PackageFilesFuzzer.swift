import Foundation
import PTQKit

/// The body of the package-files target. Tests/CLITests/FuzzRegressionTests.swift compiles this file too
/// (through a symbolic link) and feeds it the seed corpus and every committed crasher.
enum PackageFilesFuzzer {
    static func run(_ input: Data) {
        guard let selector = input.first else { return }
        let data = Data(input.dropFirst())
        switch selector % 3 {
        case 0:
            _ = ManifestSchema.violations(ofJSON: data)
            _ = try? Manifest.decode(data, path: "fuzz/manifest.json")
        case 1:
            statistics(data)
        default:
            var hasher = SHA256()
            hasher.update(Array(data))
            var framed = Data(
                ("{\"format\":\"\(StatisticsFile.format)\",\"formatVersion\":1,"
                    + "\"sha256\":\"\(hasher.finalize().hex)\",\"body\":").utf8)
            framed.append(data)
            framed.append(contentsOf: Array("}\n".utf8))
            statistics(framed)
        }
    }

    /// Decodes a statistics file and, when it is accepted, does what `ptq merge` and `ptq calibrate --stats` do.
    static func statistics(_ data: Data) {
        guard let file = try? StatisticsFile.decode(data, path: "fuzz.ptqstats") else { return }
        _ = file.body.isComplete
        _ = try? StatisticsFile.merge([("a.ptqstats", file)], allowPartial: true)
        _ = try? StatisticsFile.merge([("a.ptqstats", file), ("b.ptqstats", file)], allowPartial: false)
        if let encoded = try? file.encoded() { _ = try? StatisticsFile.decode(encoded, path: "re-encoded.ptqstats") }
        guard let calibrator = try? Calibrator(config: file.body.config, observers: ObserverRegistry.builtIn) else {
            return
        }
        // Activation files are recorded paths; the statistics path reads no activation data.
        _ = try? calibrator.calibrate(
            weights: String?.none, activationFiles: file.body.plan.files.map(\.path), statistics: file.body.statistics)
    }
}
