@_exported public import Calibrator
// PTQKit: one import for the whole framework.
//
// Re-exports every stage of the data flow so that a user package can write
// `import PTQKit` and reach the HDF5 wrapper, the tensor streams, the
// quantization core, the observers, the calibration-driven weight rounding and the calibrator.
@_exported public import HDF5
@_exported public import JSON
@_exported public import Observers
@_exported public import PTQStats
@_exported public import PackageFormat
@_exported public import PackageWriter
@_exported public import QuantCore
@_exported public import TensorIO
@_exported public import WeightRounding

/// The version of PTQKit, recorded in every manifest and printed by `ptq --version`.
public let ptqkitVersion = "0.1.0"
