/// An observer whose `merge` is exact: observing any split of the batches into several observers,
/// in any order, and merging them gives the state of one observer that saw every batch in read
/// order (their states compare equal, so saved statistics and packages are byte-identical).
///
/// Declare it only when that holds (min-max and exact histograms do; a moving average, whose value
/// depends on the batch order, or a floating-point running mean, exact only up to rounding, do
/// not). It adds no requirement: it is a promise the calibrator relies on to split batches.
public protocol ExactlyMergeable: Observer {}
