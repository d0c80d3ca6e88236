import Foundation
import Testing

/// `ptq inspect --stats --json` on the bundled calibration data agrees with the numpy statistics the
/// data script recorded in `Calibration/reference_stats.json`: min, max and abs-max exactly (they are
/// float32 values), mean and std to float32 rounding.
@Suite struct BundledCalibrationDataTests {
    @Test func statisticsAgreeWithNumpy() throws {
        let referenceURL = PTQProcess.repository.appendingPathComponent("Calibration/reference_stats.json")
        let reference = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: referenceURL)) as? [String: Any])
        let files = try #require(reference["files"] as? [String: [String: [String: Any]]])
        #expect(!files.isEmpty)
        let paths = files.keys.sorted().map { "Calibration/\($0)" }
        let result = try PTQProcess.run(["inspect", "--stats", "--json"] + paths)
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try PTQProcess.entries(PTQProcess.json(result.stdout))
        var compared = 0
        for (name, datasets) in files {
            let report = try #require(entries["Calibration/\(name)"], "\(name)")
            for (path, numpy) in datasets {
                let stats = try #require(report[path]?["stats"] as? [String: Any], "\(name):\(path)")
                let scale = try #require(numpy["absmax"] as? Double)
                for key in ["min", "max", "absmax"] {
                    #expect(stats[key] as? Double == numpy[key] as? Double, "\(name):\(path) \(key)")
                }
                // Float32 rounding: a relative 2⁻²³ of the data's scale (numpy sums in float64 too).
                let tolerance = scale * 0x1p-23
                for key in ["mean", "std"] {
                    let ours = try #require(stats[key] as? Double)
                    let theirs = try #require(numpy[key] as? Double)
                    #expect(abs(ours - theirs) <= tolerance, "\(name):\(path) \(key): \(ours) vs \(theirs)")
                }
                #expect(stats["count"] as? Int == numpy["count"] as? Int)
                #expect(stats["zero_fraction"] as? Double == numpy["zero_fraction"] as? Double)
                #expect(stats["nan_count"] as? Int == numpy["nan_count"] as? Int)
                compared += 1
            }
        }
        #expect(compared == files.values.reduce(0) { $0 + $1.count })
    }
}
