/// A statistic collector that turns streamed batches of a tensor into calibrated ranges.
///
/// The core contract is four requirements, all an observer must write:
/// - `kind`, the stable name of its statistic (written into saved states, named in messages);
/// - `observe` takes one batch: a contiguous row-major Float32 buffer and its shape `[rows, …]`.
///   Batches may be any split of the tensor's rows (per tensor, and per channel along an axis
///   other than 0); see `ParameterLayout.observing` for what must stay fixed between batches;
/// - `merge` folds in another observer of the same type and options (observers that saw other
///   batches of the same tensor);
/// - `ranges(for:)` produces the calibrated per-slot ranges for a target grid; the target matters
///   for the searching observers (MSE, entropy).
///
/// Two refinements add what some callers need, each declared only by the observers it is true of:
/// - ``PersistentObserver``: typed options and a `Codable` state, so the statistic can be saved
///   (`ObserverSnapshot`, `.ptqstats` files) and re-calibrated later without the data;
/// - ``ExactlyMergeable``: observing any split of the batches, in any order, then merging gives
///   exactly the state of one observer that saw every batch in read order. Multi-threaded
///   calibration splits a dataset's batches over workers and merges their observers only for such
///   observers (``mergeIsExact``); every other observer sees its batches in read order.
///
/// Generic code should take `<O: Observer>`; `AnyObserver` is the type-erased box for
/// heterogeneous collections (its cost is one dynamic dispatch per batch, never per element).
public protocol Observer: Sendable {
    /// Stable name of the statistic, written into saved states (e.g. `"minmax"`, `"histogram"`).
    static var kind: String { get }

    /// Observes one batch: `batch.count` must equal the product of `shape`.
    mutating func observe(_ batch: UnsafeBufferPointer<Float>, shape: [Int]) throws
    /// Folds in another observer of the same kind and options.
    mutating func merge(_ other: Self) throws
    /// The calibrated per-slot ranges for `target`.
    func ranges(for target: RangeTarget) throws -> ObservedRanges
}

extension Observer {
    /// Whether this observer's merge is exact (it conforms to ``ExactlyMergeable``).
    public static var mergeIsExact: Bool { Self.self is any ExactlyMergeable.Type }

    /// Observes a batch held in an array.
    public mutating func observe(_ batch: [Float], shape: [Int]) throws {
        try batch.withUnsafeBufferPointer { try observe($0, shape: shape) }
    }

    /// Observes a 1-D batch (shape `[count]`).
    public mutating func observe(_ batch: [Float]) throws {
        try observe(batch, shape: [batch.count])
    }

    /// The calibrated ranges for the default target (signed 8-bit symmetric).
    public func ranges() throws -> ObservedRanges {
        try ranges(for: .int8Symmetric)
    }
}
