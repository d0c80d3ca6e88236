/// One link found while listing a group (recursively or not).
struct VisitedLink: Sendable {
    enum Target: Sendable {
        case object(ObjectClass)
        case soft(String)
        case external
    }
    /// Path relative to the visited group.
    var name: String
    var target: Target
}
