/// Whether a grid is centred on zero.
public enum Symmetry: String, Sendable, Hashable, Codable, CaseIterable {
    /// The grid covers [−amax, amax] with amax = max(|min|, |max|); the zero-point is fixed
    /// (0 for signed codes, the middle code for unsigned ones).
    case symmetric
    /// The grid covers [min(min, 0), max(max, 0)]; the zero-point is chosen so 0 is on the grid.
    case asymmetric
}
