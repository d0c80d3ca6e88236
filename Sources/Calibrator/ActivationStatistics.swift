public import Observers

/// The mergeable outcome of a calibration's observe phase: for every layer that reads an activation
/// dataset, the saved states of its observers and how many rows they saw.
///
/// Observing disjoint parts of the same datasets (shards) with the same configuration and merging
/// the results gives exactly the statistics of one pass over everything for the min-max and
/// histogram-based observers (their merges are exact and order-independent); ``Calibrator``'s
/// `calibrate(weights:activationFiles:statistics:)` turns them into the same ``CalibrationResult``.
/// Encodes each observer as its versioned snapshot (`kind`, `version`, `options`, `state`); decoding
/// restores kinds through the `ObserverRegistry` in `userInfo[.observerRegistry]`.
public struct ActivationStatistics: Sendable, Codable {
    /// The observed statistics of one layer's input activation.
    public struct Layer: Sendable, Codable {
        /// Layer name.
        public var layer: String
        /// Activation dataset path.
        public var dataset: String
        /// Rows observed.
        public var rows: Int
        /// Shape of one row.
        public var rowShape: [Int]
        /// The configured observer (name and options) that made ``primary``.
        public var observer: ObserverSpec
        /// The configured observer's saved state.
        public var primary: AnyObserver
        /// The exact histogram kept beside a non-histogram ``primary`` (for `auto` and the clipping
        /// fraction); `nil` when ``primary`` is itself a histogram.
        public var histogram: AnyObserver?
        /// The input moments collected (``LayerPolicy/inputMomentsLevel``), merged exactly like the
        /// observers (``InputMomentsAccumulator``); `nil` (and absent from the file) when none were.
        public var moments: InputMomentsAccumulator? = nil
    }

    /// Every dataset of the first activation file, in the file's walk order (what layer naming saw).
    public var datasets: [String]
    /// The observed layers, in the calibrator's order.
    public var layers: [Layer]

    /// Creates statistics from their parts.
    public init(datasets: [String], layers: [Layer]) {
        self.datasets = datasets
        self.layers = layers
    }

    /// Folds in the statistics of another part of the same datasets, observed with the same
    /// configuration: rows add up and every observer merges with its counterpart.
    ///
    /// - Throws: ``CalibrationError/observer(layer:dataset:reason:)`` when the two do not describe the
    ///   same layers, datasets, row shapes and observers.
    public mutating func merge(_ other: ActivationStatistics) throws(CalibrationError) {
        guard datasets == other.datasets, layers.map(\.layer) == other.layers.map(\.layer) else {
            throw .observer(
                layer: "", dataset: "",
                reason:
                    "statistics of other layers or datasets (\(layers.map(\.layer)) vs \(other.layers.map(\.layer)))")
        }
        for (i, theirs) in other.layers.enumerated() {
            var mine = layers[i]
            func fail(_ reason: String) -> CalibrationError {
                .observer(layer: mine.layer, dataset: mine.dataset, reason: reason)
            }
            guard mine.dataset == theirs.dataset, mine.observer == theirs.observer else {
                throw fail("statistics of another dataset or observer (\(theirs.dataset), \(theirs.observer))")
            }
            guard mine.rowShape == theirs.rowShape else {
                throw fail("rows of shape \(theirs.rowShape) do not match \(mine.rowShape)")
            }
            do {
                try mine.primary.merge(theirs.primary)
                switch (mine.histogram, theirs.histogram) {
                case (var h?, let t?):
                    try h.merge(t)
                    mine.histogram = h
                case (nil, nil): break
                default: throw fail("one side has no histogram")
                }
                switch (mine.moments, theirs.moments) {
                case (var m?, let t?):
                    try m.merge(t)
                    mine.moments = m
                case (nil, nil): break
                default: throw fail("one side has no input moments")
                }
            } catch let error as CalibrationError {
                throw error
            } catch {
                throw fail("cannot merge: \(error)")
            }
            mine.rows += theirs.rows
            layers[i] = mine
        }
    }

    /// The finished input moments of `layer` (reading its activation dataset), or `nil` when none were
    /// collected for it.
    public func inputMoments(of layer: String) -> InputMoments? {
        layers.first { $0.layer == layer }?.moments?.finished()
    }
}
