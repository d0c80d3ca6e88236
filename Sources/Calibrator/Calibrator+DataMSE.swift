internal import Observers
internal import QuantCore

extension Calibrator {
    /// The ranges of an `mse` weight observer scored on the weight's data (``DataMSESearch``) for each of
    /// `targets`, or `nil` when `observer` is not the histogram observer with method `.mse` or `layout`'s
    /// parameters are not row-local.
    ///
    /// Row-local: per channel along axis 0 and per group, where every block of whole rows
    /// (``WeightBlocks``) holds whole parameters, so a weight read whole and one streamed in blocks see
    /// each parameter's elements together and get the same ranges. Per tensor and per channel along a later
    /// axis, a streamed weight's parameters span every block: those keep the histogram search.
    static func dataMSERanges(
        observer: any Observer, layout: ParameterLayout, values: UnsafeBufferPointer<Float>, shape: [Int],
        targets: [RangeTarget]
    ) throws -> [ObservedRanges]? {
        guard let histogram = observer as? HistogramObserver, histogram.options.method == .mse else { return nil }
        switch layout.granularity {
        case .perTensor: return nil
        case .perChannel(let axis): if axis != 0 { return nil }
        case .perGroup: break
        }
        return try DataMSESearch.ranges(
            of: values, shape: shape, granularity: histogram.options.granularity,
            nonFinite: histogram.options.nonFinite, targets: targets)
    }
}
