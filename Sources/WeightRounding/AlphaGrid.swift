/// The exponents α the scale searches try: `count` points in [0, 1), α = k/count for k = 0…count−1; the default
/// 20 is AWQ's reference grid (0, 0.05, …, 0.95). α = 0 is plain rounding for AWQ, so its search never does
/// worse than round-to-nearest.
public enum AlphaGrid {
    /// The default number of points, 20.
    public static let defaultCount = 20

    /// The grid points in ascending order (ties between points are resolved to the smaller α); `count` ≥ 1.
    public static func points(count: Int = defaultCount) -> [Double] {
        (0..<Swift.max(count, 1)).map { Double($0) / Double(Swift.max(count, 1)) }
    }
}
