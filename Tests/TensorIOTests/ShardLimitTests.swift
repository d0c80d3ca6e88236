import Foundation
import Testing

@testable import TensorIO

/// Shard counts (issue 20): `--shard 9223372036854775806/9223372036854775807` crashed and `0/1000000000`
/// took 25 s and 7.8 GB, because a plan built one array per shard to return one shard's segments.
@Suite("Shard limits")
struct ShardLimitTests {
    /// A plan of two files, one chunked dataset each (4-row units), without reading any file.
    func plan(shards: Int) -> ShardPlan {
        let files = ["a.h5", "b.h5"].map { path in
            ShardPlan.PlannedFile(
                path: path, size: 1000, extents: [ShardPlan.Extent(dataset: "/x", rows: 37, unitRows: 4, rowBytes: 12)])
        }
        return ShardPlan(shardCount: shards, datasets: ["/x"], files: files)
    }

    @Test(arguments: ["0/100001", "9223372036854775806/9223372036854775807", "0/1000000000", "0/99999999999999999999"])
    func countsAboveTheMaximumAreRefused(text: String) {
        #expect(throws: ShardPlanError.self) { try ShardSpec(parsing: text) }
    }

    @Test func theMaximumIsAccepted() throws {
        let spec = try ShardSpec(parsing: "99999/100000")
        #expect(spec.count == ShardSpec.maximumCount)
    }

    /// One shard's segments, and a merge's, are what the per-shard table says.
    @Test(arguments: [1, 3, 7, 20, 100])
    func segmentsOfOneShardMatchTheAssignments(count: Int) throws {
        let plan = plan(shards: count)
        let assignments = plan.assignments
        for index in 0..<count {
            #expect(plan.segments(of: try ShardSpec(index: index, count: count)) == assignments[index])
        }
        let some = Set(stride(from: 0, to: count, by: 2))
        #expect(plan.segments(ofShards: some) == some.sorted().flatMap { assignments[$0] })
    }

    /// The last shard of the largest count: no table of 100000 shards is built (this returned after
    /// seconds and gigabytes for 10^9 before the limit).
    @Test func segmentsOfTheLastOfManyShardsAreFound() throws {
        let count = ShardSpec.maximumCount
        let plan = plan(shards: count)
        // The last unit (b.h5 rows 36..<37) starts after 73 of 74 rows: shard ⌊73 · N / 74⌋ = 98648.
        let last = plan.segments(of: try ShardSpec(index: 73 * count / 74, count: count))
        #expect(last.count == 1 && last.first?.file == "b.h5" && last.first?.rows == 36..<37)
        #expect(plan.segments(of: try ShardSpec(index: count - 1, count: count)).isEmpty)
    }

    /// A statistics file's plan is checked when decoded.
    @Test func decodedPlansWithAbsurdCountsAreRefused() throws {
        var plan = plan(shards: 4)
        plan.shardCount = 1 << 40
        let data = try JSONEncoder().encode(plan)
        #expect(throws: ShardPlanError.self) { try JSONDecoder().decode(ShardPlan.self, from: data) }
        plan.shardCount = 4
        #expect(try JSONDecoder().decode(ShardPlan.self, from: JSONEncoder().encode(plan)) == plan)
    }
}
