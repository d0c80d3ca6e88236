public import PackageFormat
import PackageWriter

extension StatisticsFile {
    /// Merges statistics files (shards, or files already merged) into one, in any order.
    ///
    /// Refuses files from other PTQKit versions, configurations or plans (inputs and shard count),
    /// shards covered twice, conflicting fingerprints, and — unless `allowPartial` — missing shards;
    /// with `allowPartial` the missing shards are recorded in ``Body/missingShards``.
    ///
    /// - Parameters:
    ///   - files: each file's path (for messages) and contents.
    ///   - allowPartial: whether missing shards are accepted (and recorded) rather than refused.
    /// - Returns: the merged statistics.
    /// - Throws: ``StatisticsFileError`` naming the files involved.
    public static func merge(
        _ files: [(path: String, file: StatisticsFile)], allowPartial: Bool
    ) throws(StatisticsFileError) -> StatisticsFile {
        guard let (firstPath, first) = files.first else { throw .noInputs }
        var owner: [Int: String] = [:]
        var fingerprints: [String: (InputFile, String)] = [:]
        var missing = Set<Int>()
        for (path, file) in files {
            let b = file.body
            guard b.ptqkitVersion == first.body.ptqkitVersion else {
                throw .differentPlans(
                    path: path, other: firstPath,
                    reason: "written by PTQKit \(b.ptqkitVersion), not \(first.body.ptqkitVersion)")
            }
            guard b.configDigest == first.body.configDigest else {
                throw .differentConfigs(path: path, other: firstPath)
            }
            guard b.planDigest == first.body.planDigest else {
                let reason =
                    b.plan.shardCount != first.body.plan.shardCount
                    ? "split into \(b.plan.shardCount) shards, not \(first.body.plan.shardCount)"
                    : "the input files, their sizes or datasets differ"
                throw .differentPlans(path: path, other: firstPath, reason: reason)
            }
            for shard in b.shards {
                if let other = owner[shard] { throw .duplicateShard(shard: shard, paths: [other, path]) }
                owner[shard] = path
            }
            missing.formUnion(b.missingShards)
            for input in b.inputs {
                if let (known, where_) = fingerprints[input.path], known != input {
                    throw .conflictingFingerprint(file: input.path, paths: [where_, path])
                }
                fingerprints[input.path] = (input, path)
            }
        }
        let count = first.body.plan.shardCount
        let covered = owner.keys.sorted()
        let absent = (0..<count).filter { owner[$0] == nil }
        if !allowPartial, !absent.isEmpty { throw .missingShards(absent, of: count) }
        missing = missing.union(absent).subtracting(covered)

        // statistics merged in shard order (exact merges make the order immaterial; this makes it explicit)
        let ordered = files.sorted { ($0.file.body.shards.first ?? 0) < ($1.file.body.shards.first ?? 0) }
        var statistics = ordered[0].file.body.statistics
        for (path, file) in ordered.dropFirst() {
            do {
                try statistics.merge(file.body.statistics)
            } catch {
                throw .invalidContents(path: path, reason: "\(error)")
            }
        }
        var body = first.body
        body.shards = covered
        body.missingShards = missing.sorted()
        body.coverage = first.body.plan.segments(ofShards: Set(covered))
        body.inputs = first.body.plan.files.compactMap { fingerprints[$0.path]?.0 }
        body.statistics = statistics
        return StatisticsFile(body: body)
    }
}
