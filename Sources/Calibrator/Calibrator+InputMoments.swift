internal import Observers

extension Calibrator {
    /// Sets up the moment accumulators of the layers of `group` that collect moments (feature axis from the
    /// row shape), counts their memory against the memory budget, and returns how many workers may stream
    /// the dataset (each worker holds its own copy of the accumulators).
    ///
    /// Counted: every collecting layer's accumulator state (``InputMomentsAccumulator/stateBytes(features:level:)``)
    /// and finished moments (``InputMomentsAccumulator/finishedBytes(features:level:)``, the Gram matrix's
    /// d²·8 bytes), kept until the package is written, in `heldBytes` across datasets; plus the extra
    /// workers' copies of this dataset's accumulators, which only live while it streams.
    ///
    /// - Throws: ``CalibrationError/observer(layer:dataset:reason:)`` when the moments of the layers so far
    ///   do not fit the budget even on one worker, or a feature axis is invalid.
    func prepareMoments(
        _ group: inout [ActivationObservers], rowShape: [Int], dataset: String, workers: Int, heldBytes: inout Int
    ) throws(CalibrationError) -> Int {
        let budget = WeightMemoryBudget(memoryBudget: memoryBudget)
        var datasetBytes = 0
        for i in group.indices where group[i].momentsLevel != .none {
            let layer = group[i].layer
            let (axis, features) = try Self.momentsAxis(
                group[i].settings, rowShape: rowShape, layer: layer, dataset: dataset)
            guard features > 0 else {
                throw .observer(layer: layer, dataset: dataset, reason: "rows of shape \(rowShape) have no features")
            }
            let level = group[i].momentsLevel
            let state = InputMomentsAccumulator.stateBytes(features: features, level: level)
            let finished = InputMomentsAccumulator.finishedBytes(features: features, level: level)
            heldBytes =
                heldBytes.addingReportingOverflow(state.addingReportingOverflow(finished).partialValue)
                .partialValue
            datasetBytes += state
            guard heldBytes <= budget.bytes, heldBytes >= 0 else {
                throw .observer(
                    layer: layer, dataset: dataset,
                    reason: "input moments (\(level.rawValue)) of \(features) features need \(state) bytes to collect "
                        + "and \(finished) to keep (\(heldBytes) bytes with the layers before), more than the memory "
                        + "budget of \(budget.bytes) bytes (\(budget.source)); collect moments for fewer layers")
            }
            group[i].momentsAxis = axis
            group[i].moments = InputMomentsAccumulator(features: features, level: level)
        }
        guard datasetBytes > 0 else { return workers }
        let spare = budget.bytes - heldBytes
        return Swift.max(1, Swift.min(workers, 1 + spare / datasetBytes))
    }

    /// The feature axis of a layer's moments (an index into `rowShape`) and its length: the per-channel
    /// activation axis when the activations are per channel, else the last axis (1 feature for scalar rows).
    static func momentsAxis(
        _ settings: QuantizationSettings, rowShape: [Int], layer: String, dataset: String
    ) throws(CalibrationError) -> (axis: Int, features: Int) {
        if let (axis, count) = try ActivationChannels.layout(
            settings, rowShape: rowShape, layer: layer, dataset: dataset)
        {
            return (axis - 1, count)
        }
        guard let last = rowShape.last else { return (0, 1) }
        return (rowShape.count - 1, last)
    }
}
