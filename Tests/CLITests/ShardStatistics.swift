import Foundation
import Testing

/// Runs `ptq observe` for every shard `k` of `count` in `shardOrder` (each on the files `files()` gives),
/// `ptq merge` on the statistics in the order `mergeOrder` puts them, and `ptq calibrate --stats` with
/// `weights`; returns the package's path in `directory`.
func packageFromShardStatistics(
    shardOrder: [Int], count: Int, files: () -> [String], config: String, weights: String, directory: URL,
    mergeOrder: ([String]) -> [String] = { $0 }
) throws -> String {
    var stats: [String] = []
    for k in shardOrder {
        let out = directory.appendingPathComponent("stats-\(k).ptqstats").path
        let r = try PTQProcess.run(
            ["observe", "--activations"] + files()
                + ["--config", config, "--shard", "\(k)/\(count)", "-o", out, "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        stats.append(out)
    }
    let merged = directory.appendingPathComponent("all.ptqstats").path
    let merge = try PTQProcess.run(["merge"] + mergeOrder(stats) + ["-o", merged])
    try #require(merge.status == 0, "\(merge.stderr)")
    let package = directory.appendingPathComponent("sharded.ptq").path
    let calibrate = try PTQProcess.run(
        ["calibrate", "--stats", merged, "--weights", weights, "--output", package, "--quiet"])
    try #require(calibrate.status == 0, "\(calibrate.stderr)")
    return package
}
