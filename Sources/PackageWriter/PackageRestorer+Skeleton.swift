import Foundation
import HDF5
import PackageFormat

extension PackageRestorer {
    /// Rebuilds the original weights file at the writer's temporary path: the package's skeleton copied
    /// byte for byte (every group, attribute and unquantized dataset of the original, see
    /// ``SkeletonFile``), the marker attribute ``markerAttribute`` added to its root, and each placeholder
    /// filled with its tensor's dequantized values, which libhdf5 converts to the dataset's own type
    /// (float16, float64, ...) as it writes them.
    ///
    /// - Throws: ``PackageError`` (an error about the temporary file is reported by the caller as one
    ///   about `output`).
    static func restoreFromSkeleton(
        _ package: borrowing PackageReader, writer: AtomicFileWriter, output: String
    ) throws(PackageError) {
        guard let name = package.manifest.skeletonFile else { return }
        let skeleton = "\(package.path)/\(name)"
        guard FileManager.default.fileExists(atPath: skeleton) else {
            throw .cannotRead(path: skeleton, reason: "missing (the manifest's skeleton_file names it)")
        }
        let file = try writer.create { (temporary) throws(PackageError) -> File in
            do { try FileManager.default.copyItem(atPath: skeleton, toPath: temporary) } catch {
                throw .cannotWrite(path: output, reason: PackageError.reason(of: error))
            }
            do throws(HDF5Error) { return try File(temporary, mode: .readWrite) } catch {
                throw .cannotWrite(path: output, reason: "\(error.operation) failed: \(error.cause)")
            }
        }
        for record in package.manifest.tensors where SkeletonFile.isPlaceholder(record) {
            let values = try package.dequantized(record)
            let dataset: Dataset
            do throws(HDF5Error) { dataset = try file.openDataset(record.dataset) } catch {
                throw .inconsistentTensor(file: skeleton, name: record.dataset, reason: error.kind.summary)
            }
            guard dataset.shape == record.originalShape else {
                throw .inconsistentTensor(
                    file: skeleton, name: record.dataset,
                    reason: "skeleton dataset of shape \(dataset.shape), the manifest says \(record.originalShape)")
            }
            do throws(HDF5Error) { if !values.isEmpty { try dataset.write(values) } } catch {
                throw .cannotWrite(path: output, reason: "\(record.dataset): \(error.operation) failed: \(error.cause)")
            }
            MidWritePause.point(output)
        }
        do throws(HDF5Error) {
            try file.setAttribute(markerAttribute, AttributeValue.string(package.path))
            try file.flush()
        } catch {
            throw .cannotWrite(path: output, reason: "\(error.operation) failed: \(error.cause)")
        }
    }
}
