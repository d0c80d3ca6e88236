/// One way of choosing a clipping range on an exact histogram (a range method of the histogram
/// observer): its stored properties are the method's options, its `range(of:target:)` the arithmetic.
///
/// Each method lives in its own file, named for it: ``MinMaxRange``, ``PercentileRange``,
/// ``MSERange``, ``EntropyRange``. The registry offers each under its name (`histogram`,
/// `percentile`, `mse`, `entropy`) with one flat options object: the method's own options beside the
/// histogram statistic's (`bins`, `granularity`, `nonFinite`; see
/// `ObserverRegistry.registerHistogram(name:summary:defaults:)`).
public protocol HistogramRange: Codable, Sendable, Hashable {
    /// The method as the histogram observer stores it (`HistogramObserver.Options.method`).
    var method: HistogramRangeMethod { get }

    /// Checks the options against their documented domains.
    /// - Throws: `ObserverError.invalidOption` naming the option.
    func validate() throws(ObserverError)

    /// The range of one non-empty histogram for `target`, before `HistogramRangeMethod` clamps it
    /// into `[min, max]`.
    func range(of h: ExactHistogram, target: RangeTarget) -> (Float, Float)
}

extension HistogramRange {
    /// Options without constraints: nothing to check.
    public func validate() throws(ObserverError) {}
}
