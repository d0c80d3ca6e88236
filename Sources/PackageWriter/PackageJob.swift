public import Calibrator
public import JSON
public import PackageFormat

/// Writes a package from what a calibration computed: each ``CalibratedTensor`` as the calibrator hands
/// it over (codes, parameters and metrics stored as they are, nothing read or quantized again), then
/// ``finish(plan:inputs:config:toolVersion:)`` writes the manifest and summary and moves the directory
/// into place atomically. A job dropped before `finish` leaves nothing behind.
///
/// ```swift
/// var job = try PackageJob(destination: "out/pkg", force: false, inputs: ["w.h5"])
/// let result = try calibrator.calibrate(weights: "w.h5", activations: []) { _ in } tensors: { tensor in
///     _ = try? job.store(tensor)
/// }
/// try job.finish(plan: PackagePlan(result), inputs: inputs, config: config, toolVersion: ptqkitVersion)
/// ```
///
/// A failure to write inside the package (disk full, file too large) is
/// ``PackageError/cannotWrite(path:reason:)`` naming the destination and the file inside it.
public struct PackageJob: ~Copyable {
    private var builder: PackageBuilder
    private let destination: String
    private var records: [String: [TensorRecord]] = [:]

    /// Prepares `destination` (see ``AtomicDirectoryWriter/init(destination:rule:)`` and
    /// ``PackageBuilder/replacementRule(force:inputs:)``).
    ///
    /// - Parameters:
    ///   - destination: the package directory to create.
    ///   - force: whether an existing package or empty directory may be replaced.
    ///   - inputs: the files the run reads: with `force`, neither they nor a directory holding one
    ///     of them are replaced.
    /// - Throws: ``PackageError`` naming `destination`.
    public init(destination: String, force: Bool, inputs: [String]) throws(PackageError) {
        builder = try PackageBuilder(destination: destination, force: force, inputs: inputs)
        self.destination = destination
    }

    /// The number of tensors stored so far.
    public var storedCount: Int { records.values.reduce(0) { $0 + $1.count } }

    /// Stores `tensor` in `tensors.h5` as the calibration decided.
    /// - Throws: ``PackageError`` naming the dataset (or, for a write failure, the package).
    @discardableResult
    public mutating func store(_ tensor: CalibratedTensor) throws(PackageError) -> TensorRecord {
        let temporary = builder.directory.path("")
        var record: TensorRecord
        do {
            switch tensor.content {
            case .affine(let codes, let parameters, let symmetry, let profile, let reason, let metrics):
                record = try builder.tensors.writeAffine(
                    dataset: tensor.dataset, role: tensor.role, codes: codes, shape: tensor.shape,
                    originalDtype: tensor.elementType, parameters: parameters, symmetry: symmetry, profile: profile,
                    schemeReason: reason, metrics: ErrorMetricsRecord(metrics), nanCount: tensor.nanCount,
                    infCount: tensor.infCount)
            case .streamedAffine(let codes, let symmetry, let profile, let reason, let metrics):
                record = try builder.tensors.writeAffine(
                    dataset: tensor.dataset, role: tensor.role, shape: tensor.shape, originalDtype: tensor.elementType,
                    parameters: codes.parameters, symmetry: symmetry, profile: profile, schemeReason: reason,
                    metrics: ErrorMetricsRecord(metrics), nanCount: tensor.nanCount, infCount: tensor.infCount,
                    concurrent: codes.workers > 1
                        ? ConcurrentCodeBlocks(
                            workers: codes.workers, maxBlockCodes: codes.maxBlockCodes,
                            produce: codes.forEachBlockConcurrently)
                        : nil,
                    codeBlocks: codes.forEachBlock)
            case .int32(let codes, let scales, let reason, let metrics):
                record = try builder.tensors.writeInt32(
                    dataset: tensor.dataset, role: tensor.role, codes: codes, shape: tensor.shape,
                    originalDtype: tensor.elementType, scales: scales, reason: reason,
                    metrics: ErrorMetricsRecord(metrics), nanCount: tensor.nanCount, infCount: tensor.infCount)
            case .float32(let values, let note):
                record = try builder.tensors.writeFloat32(
                    dataset: tensor.dataset, role: tensor.role, values: values, shape: tensor.shape,
                    originalDtype: tensor.elementType, note: note)
            case .fixedPoint, .minifloat, .blockScaled:
                record = try builder.tensors.writeFormatted(tensor)
            }
        } catch {
            throw Self.naming(error, destination: destination, temporary: temporary)
        }
        record.layoutRole = tensor.layoutRole
        record.sourceName = tensor.sourceName
        record.quantization?.method = tensor.roundingMethod
        if let scales = tensor.inputScales {
            do {
                record.quantization?.method?.inputScaleDataset = try builder.tensors.writeInputScales(
                    scales, for: tensor.dataset)
            } catch {
                throw Self.naming(error, destination: destination, temporary: temporary)
            }
        }
        if let errors = tensor.schemeDecision?.recordedErrors {
            record.quantization?.symmetricError = errors.symmetric
            record.quantization?.asymmetricError = errors.asymmetric
        }
        records[tensor.layer, default: []].append(record)
        return record
    }

    /// Writes the manifest (the stored tensors, `plan`'s activations, their input moments (datasets of
    /// `tensors.h5`, ``InputMomentsRecord``) and policies), the summary and, given
    /// the weights file the tensors came from, the skeleton of that file (``SkeletonWriter``), and commits
    /// the package; `digest` hashes the package's own files (``PackageBuilder/finish(manifest:skeletonOf:digest:)``).
    /// - Returns: the manifest written.
    /// - Throws: ``PackageError``; nothing is left at the destination and an existing package is kept.
    @discardableResult
    public consuming func finish(
        plan: PackagePlan, inputs: [InputFile], config: JSONValue, toolVersion: String,
        skeletonOf weights: String? = nil, digest: Fingerprint.Algorithm = .xxh3
    ) throws(PackageError) -> Manifest {
        let temporary = builder.directory.path("")
        var layers = Dictionary(uniqueKeysWithValues: plan.layers.map { ($0, LayerRecord(name: $0)) })
        for (layer, tensors) in records {
            layers[layer, default: LayerRecord(name: layer)].tensors += tensors
        }
        for (layer, activation) in plan.activations {
            layers[layer, default: LayerRecord(name: layer)].activation = activation
        }
        for (layer, moments) in plan.inputMoments.sorted(by: { $0.key < $1.key }) where layers[layer]?.activation != nil
        {
            do {
                layers[layer]?.activation?.inputMoments = try builder.tensors.writeInputMoments(moments, layer: layer)
            } catch {
                throw Self.naming(error, destination: destination, temporary: temporary)
            }
        }
        for (layer, policy) in plan.policies {
            layers[layer, default: LayerRecord(name: layer)].policy = policy
        }
        for (layer, layerClass) in plan.layerClasses where layers[layer] != nil {
            layers[layer]?.layerClass = layerClass
        }
        var manifest = Manifest(
            ptqkitVersion: toolVersion, inputs: inputs, config: config, layers: Array(layers.values))
        manifest.layout = plan.layout
        let destination = destination
        do { return try builder.finish(manifest: manifest, skeletonOf: weights, digest: digest) } catch {
            throw Self.naming(error, destination: destination, temporary: temporary)
        }
    }

    /// `error` naming the output, not its temporary directory (which is gone by the time it is reported).
    private static func naming(_ error: PackageError, destination: String, temporary: String) -> PackageError {
        func inside(_ path: String) -> String? {
            path.hasPrefix(temporary) ? String(path.dropFirst(temporary.count)) : nil
        }
        switch error {
        case .hdf5(let e):
            guard let name = inside(e.file) else { return error }
            return .cannotWrite(path: destination, reason: "\(name): \(e.operation) failed: \(e.cause)")
        case .cannotWrite(let path, let reason):
            guard let name = inside(path) else { return error }
            return .cannotWrite(path: destination, reason: "\(name): \(reason)")
        default: return error
        }
    }
}
