public import JSON
public import PackageFormat
public import Calibrator
import HDF5

/// Writes a package from a ``PackagePlan``: reads each planned tensor from the weights file, stores it
/// in `tensors.h5`, fingerprints the inputs, and writes the manifest and summary atomically.
public enum PackageJob {
    /// Progress of the writing phase: tensors done and total, and the dataset being stored.
    public typealias Progress = (_ done: Int, _ total: Int, _ dataset: String) -> Void

    /// Writes the package at `destination`.
    ///
    /// - Parameters:
    ///   - weights: the weights file the plan's tensors are read from (required when the plan has tensors).
    ///   - inputs: the input files, fingerprinted (see ``InputFile/init(role:hashing:)``), in command-line order.
    ///   - config: the effective configuration to record.
    ///   - toolVersion: the PTQKit version to record.
    /// - Returns: the manifest written.
    /// - Throws: ``PackageError``; nothing is left at `destination` on failure and an existing package
    ///   is kept. A failure to write inside the package (disk full, file too large) is
    ///   ``PackageError/cannotWrite(path:reason:)`` naming `destination` and the file inside it.
    @discardableResult
    public static func write(
        plan: PackagePlan, weights: String?, inputs: [InputFile], config: JSONValue,
        toolVersion: String, destination: String, force: Bool, progress: Progress = { _, _, _ in }
    ) throws(PackageError) -> Manifest {
        let builder = try PackageBuilder(destination: destination, force: force)
        let temporary = builder.directory.path("")
        do {
            return try write(plan: plan, weights: weights, inputs: inputs, config: config, toolVersion: toolVersion, into: builder, progress: progress)
        } catch {
            // Name the output, not its temporary directory (which is gone by now).
            func inside(_ path: String) -> String? { path.hasPrefix(temporary) ? String(path.dropFirst(temporary.count)) : nil }
            switch error {
            case .hdf5(let e):
                guard let name = inside(e.file) else { throw error }
                throw .cannotWrite(path: destination, reason: "\(name): \(e.operation) failed: \(e.cause)")
            case .cannotWrite(let path, let reason):
                guard let name = inside(path) else { throw error }
                throw .cannotWrite(path: destination, reason: "\(name): \(reason)")
            default: throw error
            }
        }
    }

    /// Fills and commits `builder`.
    private static func write(
        plan: PackagePlan, weights: String?, inputs: [InputFile], config: JSONValue,
        toolVersion: String, into builder: consuming PackageBuilder, progress: Progress
    ) throws(PackageError) -> Manifest {
        var layers = Dictionary(uniqueKeysWithValues: plan.layers.map { ($0, LayerRecord(name: $0)) })
        if !plan.tensors.isEmpty {
            guard let weights else {
                throw .invalidTensor(name: plan.tensors[0].dataset, reason: "no weights file to read it from")
            }
            let file: File
            do { file = try File(weights) } catch { throw .hdf5(error) }
            for (index, tensor) in plan.tensors.enumerated() {
                progress(index, plan.tensors.count, tensor.dataset)
                let record = try store(tensor, from: file, into: &builder.tensors)
                layers[tensor.layer, default: LayerRecord(name: tensor.layer)].tensors.append(record)
            }
            progress(plan.tensors.count, plan.tensors.count, "")
        }
        for (layer, activation) in plan.activations {
            layers[layer, default: LayerRecord(name: layer)].activation = activation
        }
        for (layer, policy) in plan.policies {
            layers[layer, default: LayerRecord(name: layer)].policy = policy
        }
        let manifest = Manifest(ptqkitVersion: toolVersion, inputs: inputs, config: config, layers: Array(layers.values))
        try builder.finish(manifest: manifest)
        return manifest
    }

    /// Reads one tensor and stores it as planned.
    static func store(_ tensor: PackagePlan.Tensor, from file: borrowing File, into writer: inout TensorsFileWriter)
        throws(PackageError) -> TensorRecord
    {
        let shape: [Int]
        let dtype: String
        let values: [Float]
        do {
            let dataset = try file.openDataset(tensor.dataset)
            shape = dataset.shape
            dtype = dataset.elementType.description
            values = try dataset.read(as: Float.self)
        } catch {
            throw .hdf5(error)
        }
        switch tensor.storage {
        case .affine(let parameters, let symmetry, let profile, let reason):
            return try writer.writeAffine(
                dataset: tensor.dataset, role: tensor.role, values: values, shape: shape, originalDtype: dtype,
                parameters: parameters, symmetry: symmetry, profile: profile, schemeReason: reason)
        case .minifloat(let quantizer):
            return try writer.writeMinifloat(
                dataset: tensor.dataset, role: tensor.role, values: values, shape: shape, originalDtype: dtype,
                quantizer: quantizer)
        case .int32(let scales, let reason):
            return try writer.writeInt32(
                dataset: tensor.dataset, role: tensor.role, values: values, shape: shape, originalDtype: dtype,
                scales: scales, reason: reason)
        case .float32(let note):
            return try writer.writeFloat32(
                dataset: tensor.dataset, role: tensor.role, values: values, shape: shape, originalDtype: dtype,
                note: note)
        }
    }
}
