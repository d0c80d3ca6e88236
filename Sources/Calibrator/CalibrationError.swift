public import QuantCore
public import TensorIO

/// A calibration that cannot go on: which input, layer or dataset, and why.
public enum CalibrationError: Error, Sendable, CustomStringConvertible {
    /// The configuration is invalid (also for observers the provider does not know or whose options
    /// it rejects).
    case config(ConfigError)
    /// The datasets do not map to layers unambiguously.
    case naming(LayerNamingError)
    /// The weights file's structure contradicts its layout (a damaged Keras file).
    case layout(LayoutError)
    /// Neither a weights file nor activation files were given, or a glob matched nothing.
    case noInputs(String)
    /// A file or dataset could not be read.
    case input(TensorIOError)
    /// An observer failed on a dataset (for example NaN/Inf with `nan-policy: error`).
    case observer(layer: String, dataset: String, reason: String)
    /// A calibration-driven weight method (`weights: method:`) cannot handle the layer's weight: not a matrix,
    /// no input moments, features that do not match, …
    case weightMethod(layer: String, dataset: String, reason: String)
    /// The parameters could not be computed (bad axis, a scheme the profile lacks, ...).
    case quantization(layer: String, dataset: String, QuantizationError)
    /// The memory budget cannot hold the batch buffers of a dataset: `required` bytes are needed for
    /// one row (or the requested rows) in each buffer (see ``Calibrator/memoryBudget``).
    case memoryBudget(dataset: String, budget: Int, required: Int)
    /// A weight or bias tensor's Float32 size (`bytes`) exceeds the weight memory budget (`budget`
    /// bytes, from `source`); see `WeightMemoryBudget`.
    case weightTooLarge(file: String, dataset: String, bytes: Int, budget: Int, source: String)
    /// The system would not allocate `bytes` bytes for a weight or bias tensor's Float32 values.
    case weightUnallocatable(file: String, dataset: String, bytes: Int)

    /// One line naming the input and the cause.
    public var description: String {
        switch self {
        case .config(let error): error.description
        case .naming(let error): error.description
        case .layout(let error): error.description
        case .noInputs(let why): "nothing to calibrate: \(why)"
        case .input(let error): error.description
        case .observer(let layer, let dataset, let reason): "layer \(layer) (\(dataset)): observer failed: \(reason)"
        case .quantization(let layer, let dataset, let error): "layer \(layer) (\(dataset)): \(error)"
        case .weightMethod(let layer, let dataset, let reason): "layer \(layer) (\(dataset)): \(reason)"
        case .memoryBudget(let dataset, let budget, let required):
            "dataset \(dataset): a memory budget of \(budget) bytes cannot hold its batch buffers, which need at least "
                + "\(required) bytes; raise the budget or use fewer threads"
        case .weightTooLarge(let file, let dataset, let bytes, let budget, let source):
            "\(file):\(dataset): the tensor needs \(WeightMemoryBudget.describe(bytes)) in memory "
                + "(Float32, read whole), more than the weight memory budget of "
                + "\(WeightMemoryBudget.describe(budget)) (\(source))"
        case .weightUnallocatable(let file, let dataset, let bytes):
            "\(file):\(dataset): cannot allocate \(WeightMemoryBudget.describe(bytes)) for the tensor "
                + "(Float32, read whole): out of memory or above the address-space limit (ulimit -v)"
        }
    }
}

extension CalibrationError {
    /// The same error with the dataset of an observer or quantization failure (and the datasets of a
    /// naming conflict) prefixed by the file they come from, as `file:/dataset`; with several files
    /// (activation shards) the dataset is followed by `in a.h5, b.h5`. Other errors name their file
    /// already and are returned unchanged.
    func located(weights: String?, activations: [String]) -> CalibrationError {
        func place(_ dataset: String, _ files: [String]) -> String {
            switch files.count {
            case 0: dataset
            case 1: "\(files[0]):\(dataset)"
            default: "\(dataset) in \(files.joined(separator: ", "))"
            }
        }
        switch self {
        case .observer(let layer, let dataset, let reason):
            return .observer(layer: layer, dataset: place(dataset, weights.map { [$0] } ?? activations), reason: reason)
        case .quantization(let layer, let dataset, let error):
            return .quantization(layer: layer, dataset: place(dataset, weights.map { [$0] } ?? activations), error)
        case .weightMethod(let layer, let dataset, let reason):
            return .weightMethod(layer: layer, dataset: place(dataset, weights.map { [$0] } ?? []), reason: reason)
        case .naming(.duplicateRole(let layer, let role, let datasets)):
            let files = role == .activation ? activations : weights.map { [$0] } ?? []
            return .naming(.duplicateRole(layer: layer, role: role, datasets: datasets.map { place($0, files) }))
        case .naming(.invalidLayerName(let layer, let dataset, let origin)):
            let files = origin == .activations ? activations : weights.map { [$0] } ?? []
            return .naming(.invalidLayerName(layer: layer, dataset: place(dataset, files), origin: origin))
        case .naming(.slowPattern(let rule, let pattern, let dataset, let origin)):
            let files = origin == .activations ? activations : weights.map { [$0] } ?? []
            return .naming(.slowPattern(rule: rule, pattern: pattern, dataset: place(dataset, files), origin: origin))
        case .naming(.unmatchedLayers(let weightsOnly, let activationsOnly)):
            return .naming(
                .unmatchedLayers(
                    weightsOnly: weightsOnly.map { place($0, weights.map { [$0] } ?? []) },
                    activationsOnly: activationsOnly.map { place($0, activations) }))
        default:
            return self
        }
    }
}
