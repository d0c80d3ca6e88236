import HDF5
public import PackageFormat

/// `ptq dequantize`: the weights file a package was made from, rebuilt from its skeleton with every tensor
/// dequantized into its original dataset and type (see ``restoreFromSkeleton(_:writer:output:)``); for a
/// package without a skeleton, every tensor as float32 under its original dataset path. The new HDF5
/// file is written atomically (see ``AtomicFileWriter``).
public enum PackageRestorer {
    /// The root attribute that marks a file as written by ``restore(package:to:force:)``: its value is the
    /// package path as given. With `--force` only a file carrying it is replaced.
    public static let markerAttribute = "ptqkit_dequantized_from"

    /// What may be replaced at a restored file's path: with `force`, an HDF5 file carrying
    /// ``markerAttribute`` that is none of `inputs`.
    public static func replacementRule(force: Bool, inputs: [String]) -> ReplacementRule {
        ReplacementRule(force: force, outputKind: "file written by ptq dequantize", inputs: inputs) { path in
            guard let file = try? File(path), (try? file.hasAttribute(markerAttribute)) == true else {
                return "it is not HDF5 with the root attribute \(markerAttribute)"
            }
            return nil
        }
    }

    /// Writes the dequantized tensors of the package at `package` to `output`; returns how many.
    /// - Throws: ``PackageError`` (nothing is left at `output` on failure; an existing file is kept, and
    ///   replaced with `force` only if ``replacementRule(force:inputs:)`` allows it).
    @discardableResult
    public static func restore(package path: String, to output: String, force: Bool) throws(PackageError) -> Int {
        let package = try PackageReader(path: path)
        let packageFiles = PackageBuilder.packageFiles.map { "\(path)/\($0)" }
        let writer = try AtomicFileWriter(
            destination: output, rule: replacementRule(force: force, inputs: packageFiles))
        do {
            if package.manifest.skeletonFile != nil {
                try restoreFromSkeleton(package, writer: writer, output: output)
                try writer.commit()
                return package.manifest.tensors.count
            }
            let file = try writer.create { (path) throws(HDF5Error) -> File in try File(path, mode: .create) }
            try file.setAttribute(markerAttribute, .string(path))
            for record in package.manifest.tensors {
                let values = try package.dequantized(record)
                let count = record.originalShape.reduce(1, *)
                let options =
                    record.originalShape.isEmpty || count == 0
                    ? DatasetOptions() : DatasetOptions(deflateLevel: 4, shuffle: true)
                let dataset = try file.createDataset(
                    record.dataset, type: .float32, shape: record.originalShape, options: options)
                if count > 0 { try dataset.write(values) }
                MidWritePause.point(output)
            }
            try file.flush()
        } catch let error as PackageError {
            throw error
        } catch let error as HDF5Error where error.file == writer.temporaryPath {
            // Writing the output failed (disk full, file size limit): name the output, not its temporary file.
            throw .cannotWrite(path: output, reason: "\(error.operation) failed: \(error.cause)")
        } catch let error as HDF5Error {
            throw .hdf5(error)
        } catch {
            throw .cannotWrite(path: output, reason: "\(error)")
        }
        try writer.commit()
        return package.manifest.tensors.count
    }
}
