public import HDF5
public import PackageFormat
public import TensorIO

/// Why `ptq evaluate` could not measure a package: each case renders as the one line the tool prints,
/// naming the file and the dataset or layer, and maps to one exit code (``exitCode``).
public enum EvaluationError: Error, Sendable, CustomStringConvertible {
    /// No layer of the package has both a linear weight and an input dataset in the held-out file (66).
    case noLayers(package: String, activations: String, reason: String)
    /// The float weights the package was calibrated from are missing (`path`), or the package records none
    /// (`nil`, a package made from activations alone) (66).
    case missingWeights(package: String, path: String?)
    /// A held-out dataset (or the package's record for it) cannot be used: wrong shape, wrong width for
    /// its layer, an activation record that does not fit it (65).
    case unusable(file: String, dataset: String, reason: String)
    /// The package could not be read (its own exit codes: 66 missing, 65 damaged).
    case package(PackageError)
    /// The held-out file could not be opened or read (66 missing, 65 not HDF5 or damaged, 74 libhdf5).
    case hdf5(HDF5Error)
    /// Streaming a held-out dataset failed.
    case read(TensorIOError)

    /// The `sysexits.h` code the tool exits with: 66 for ``noLayers(package:activations:reason:)``
    /// and ``missingWeights(package:path:)``, 65 for
    /// ``unusable(file:dataset:reason:)``; `nil` for the wrapped errors, which the tool maps as every
    /// command maps them.
    public var exitCode: Int32? {
        switch self {
        case .noLayers, .missingWeights: 66
        case .unusable: 65
        case .package, .hdf5, .read: nil
        }
    }

    /// The wrapped library error, if any.
    public var underlying: (any Error)? {
        switch self {
        case .noLayers, .missingWeights, .unusable: nil
        case .package(let error): error
        case .hdf5(let error): error
        case .read(let error): error
        }
    }

    /// The one-line message.
    public var description: String {
        switch self {
        case .noLayers(let package, let activations, let reason):
            "\(activations): no dataset is the input of a linear layer of \(package) (\(reason))"
        case .missingWeights(let package, let path?):
            "\(path): no such file or directory (the float weights \(package) was calibrated from; give them with "
                + "--weights)"
        case .missingWeights(let package, nil):
            "\(package): records no weights file (give the float weights with --weights)"
        case .unusable(let file, let dataset, let reason): "\(file): \(dataset): \(reason)"
        case .package(let error): "\(error)"
        case .hdf5(let error): "\(error)"
        case .read(let error): "\(error)"
        }
    }
}
