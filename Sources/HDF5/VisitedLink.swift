/// One link found while visiting a group recursively.
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
