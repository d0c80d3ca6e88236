/// Which of `count` shards a process works on: `index` in `0..<count`, written `K/N` (K zero-based).
///
/// Job runners number their tasks differently; the recipes map theirs onto `K`: a Slurm job array
/// `--array=0-(N-1)` gives `K = $SLURM_ARRAY_TASK_ID`, a Kubernetes Indexed Job gives
/// `K = $JOB_COMPLETION_INDEX`, `xargs`/GNU parallel give `K` from `seq 0 (N-1)`. The tool itself
/// reads no environment variables.
public struct ShardSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The shard's index, `0..<count`.
    public let index: Int
    /// How many shards the inputs are split into (≥ 1).
    public let count: Int

    /// The largest shard count accepted: 100 000 (far beyond any job array; a plan's merge and its
    /// completeness check are linear in the count, so an absurd `N` would only burn memory and time).
    public static let maximumCount = 100_000

    /// The single shard covering everything (`0/1`).
    public static let whole = ShardSpec(unchecked: 0, count: 1)

    /// Shard `index` of `count`.
    ///
    /// - Throws: ``ShardPlanError/invalidShard(_:reason:)`` unless `1 ≤ count ≤ maximumCount` and
    ///   `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(ShardPlanError) {
        guard count >= 1 else { throw .invalidShard("\(index)/\(count)", reason: "the shard count must be at least 1") }
        guard count <= Self.maximumCount else {
            throw .invalidShard("\(index)/\(count)", reason: "the shard count must be at most \(Self.maximumCount)")
        }
        guard (0..<count).contains(index) else {
            throw .invalidShard("\(index)/\(count)", reason: "the index is zero-based: 0 ≤ K < \(count)")
        }
        self.init(unchecked: index, count: count)
    }

    /// Parses `K/N` (decimal, K zero-based), e.g. `0/4` … `3/4`.
    ///
    /// - Throws: ``ShardPlanError/invalidShard(_:reason:)`` naming the text.
    public init(parsing text: String) throws(ShardPlanError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw .invalidShard(
                text, reason: "expected K/N with integers, K zero-based (e.g. 0/4), N ≤ \(Self.maximumCount)")
        }
        try self.init(index: k, count: n)
    }

    private init(unchecked index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// Decodes `{"index", "count"}` and checks it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let index = try c.decode(Int.self, forKey: .index)
        let count = try c.decode(Int.self, forKey: .count)
        try self.init(index: index, count: count)
    }

    private enum CodingKeys: String, CodingKey {
        case index, count
    }
}
