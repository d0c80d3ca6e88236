internal import Foundation
internal import Observers
internal import QuantCore

/// The observers a calibration makes, one per (observer, granularity, non-finite policy), copied for each
/// tensor instead of made again: making one decodes its options from the configuration's JSON, a cost
/// paid once per tensor before (and felt on files holding many small tensors). Observers are values, so a
/// copy starts as empty as a new one; an observer that is a class is never kept (made each time).
///
/// `@unchecked Sendable`: `made` is read and written only while holding `lock`.
final class ObserverPrototypes: @unchecked Sendable {
    private struct Key: Hashable {
        var spec: ObserverSpec
        var granularity: Granularity
        var nonFinite: NonFinitePolicy
    }

    private let lock = NSLock()
    private var made: [Key: any Observer] = [:]

    /// An empty observer of `spec` for `granularity` and `nonFinite`, from `provider`.
    func observer(
        _ spec: ObserverSpec, granularity: Granularity, nonFinite: NonFinitePolicy, from provider: any ObserverProvider
    ) throws -> any Observer {
        let key = Key(spec: spec, granularity: granularity, nonFinite: nonFinite)
        if let observer = lock.withLock({ made[key] }) { return observer }
        let observer = try provider.makeObserver(spec, granularity: granularity, nonFinite: nonFinite)
        if !(type(of: observer) is AnyObject.Type) { lock.withLock { made[key] = observer } }
        return observer
    }
}
