internal import Foundation

/// The calibrated tensors of each layer, from the worker that calibrated it until the calling thread
/// hands them on (in layer order): a layer's codes are held only until the layers before it are done.
///
/// `@unchecked Sendable`: `pending` is read and written only while holding `lock`.
final class TensorHandoff: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: [CalibratedTensor]] = [:]

    /// Keeps layer `index`'s tensors.
    func put(_ index: Int, _ tensors: [CalibratedTensor]) {
        lock.withLock { pending[index] = tensors }
    }

    /// Removes and returns layer `index`'s tensors (none if it stored none).
    func take(_ index: Int) -> [CalibratedTensor] {
        lock.withLock { pending.removeValue(forKey: index) ?? [] }
    }
}
