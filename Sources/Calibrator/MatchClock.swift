internal import Foundation

/// What the thread watching ``LayerNaming/map(weights:activations:)`` sees of the matching thread: the
/// rule match in progress and when it started, and the result once the mapping is done.
///
/// `@unchecked Sendable`: every stored property is read and written only while holding `condition`'s lock.
final class MatchClock: @unchecked Sendable {
    /// How the wait ended.
    enum Outcome {
        /// The mapping finished with this result.
        case finished(Result<LayerMap, LayerNamingError>)
        /// Rule `rule`'s match against `dataset` ran past the limit.
        case overran(rule: Int, dataset: String, origin: LayerNaming.Origin)
    }

    private let condition = NSCondition()
    private var current: (rule: Int, dataset: String, origin: LayerNaming.Origin, started: Date)?
    private var result: Result<LayerMap, LayerNamingError>?

    /// A match of rule `rule` against `dataset` starts.
    func begin(rule: Int, dataset: String, origin: LayerNaming.Origin) {
        condition.lock()
        current = (rule, dataset, origin, Date())
        condition.unlock()
    }

    /// The match in progress ended.
    func end() {
        condition.lock()
        current = nil
        condition.unlock()
    }

    /// The mapping is done.
    func finish(_ result: Result<LayerMap, LayerNamingError>) {
        condition.lock()
        self.result = result
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the result, or until one match has run `limit` seconds.
    func wait(limit: Double) -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result { return .finished(result) }
            if let current, Date().timeIntervalSince(current.started) > limit {
                return .overran(rule: current.rule, dataset: current.dataset, origin: current.origin)
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
    }
}
