import Observers
import PTQStats

extension StatisticsFile {
    /// Reads a statistics file to calibrate from: it must cover every shard, or record the missing ones
    /// (a `ptq merge --allow-partial`); a single shard's file of several is refused, not calibrated as
    /// if it were everything.
    static func readComplete(_ path: String, registry: ObserverRegistry) throws(StatisticsFileError) -> StatisticsFile {
        let file = try StatisticsFile.read(path, registry: registry)
        let b = file.body
        guard b.isComplete else {
            let absent = (0..<b.plan.shardCount).filter { !b.shards.contains($0) && !b.missingShards.contains($0) }
            throw .invalidContents(
                path: path,
                reason: "lacks shards \(absent.map(String.init).joined(separator: ", ")) of \(b.plan.shardCount); "
                    + "merge every shard's statistics first (ptq merge; --allow-partial accepts a gap)")
        }
        return file
    }
}
