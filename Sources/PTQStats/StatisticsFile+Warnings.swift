public import Observers

extension StatisticsFile {
    /// The warning for a shard of several whose statistics merge only approximately: layers observed by
    /// `moving-average-minmax`, whose average depends on the batch order; `nil` when the merge is exact.
    public var inexactMergeWarning: String? {
        let inexact = body.statistics.layers.filter { $0.primary.kind == MovingAverageMinMaxObserver.kind }
        guard body.plan.shardCount > 1, let first = inexact.first else { return nil }
        return "layer \(first.layer)\(inexact.count > 1 ? " and \(inexact.count - 1) more" : "") use "
            + "moving-average-minmax, whose average depends on the batch order: merged shards approximate a "
            + "single pass rather than equal it"
    }
}
