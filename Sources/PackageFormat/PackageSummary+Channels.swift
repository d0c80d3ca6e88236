extension PackageSummary {
    /// One cell for per-channel values: `lo…hi (N ch)`, or `N ch × v` when all are equal; `–` when none.
    static func channelSummary<T: Comparable>(_ values: [T], _ render: (T) -> String) -> String {
        guard let lo = values.min(), let hi = values.max() else { return "–" }
        return lo == hi ? "\(values.count) ch × \(render(lo))" : "\(render(lo))…\(render(hi)) (\(values.count) ch)"
    }
}
