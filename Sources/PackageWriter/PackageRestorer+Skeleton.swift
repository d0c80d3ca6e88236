import Foundation
import HDF5
import PackageFormat

extension PackageRestorer {
    /// Checks a copy of the skeleton: it must have the manifest's digest (`skeleton_xxh3_128` or
    /// `skeleton_sha256`; the bytes actually restored from are hashed, so a skeleton changed after
    /// packaging, or while it is copied, is never restored from).
    ///
    /// - Throws: ``PackageError/invalidManifest(path:reason:)`` naming both digests when they differ or the
    ///   manifest records none; ``PackageError/cannotRead(path:reason:)`` when the copy cannot be hashed.
    static func checkDigest(
        of copy: String, copiedFrom skeleton: String, package: borrowing PackageReader
    ) throws(PackageError) {
        let manifest = "\(package.path)/\(Manifest.fileName)"
        guard let recorded = package.manifest.skeletonDigest else {
            throw .invalidManifest(
                path: manifest, reason: "skeleton_file without a digest of it (skeleton_xxh3_128 or skeleton_sha256)")
        }
        let digest: Fingerprint
        do { digest = try Fingerprint.of(fileAt: copy, algorithm: recorded.algorithm).0 } catch {
            throw .cannotRead(path: skeleton, reason: "cannot hash it: \(error)")
        }
        guard digest == recorded else {
            throw .invalidManifest(
                path: manifest,
                reason: "\(skeleton) has \(recorded.algorithm.displayName) \(digest.hex), not the recorded "
                    + "\(Manifest.digestKey(.skeleton, recorded.algorithm)) \(recorded.hex) "
                    + "(the skeleton changed after packaging)")
        }
    }

    /// Rebuilds the original weights file at the writer's temporary path: the package's skeleton copied
    /// byte for byte (every group, attribute and unquantized dataset of the original, see
    /// ``SkeletonFile``), the marker attribute ``markerAttribute`` added to its root, and each placeholder
    /// filled with its tensor's dequantized values, which libhdf5 converts to the dataset's own type
    /// (float16, float64, ...) as it writes them.
    ///
    /// The copy's digest is checked first (``checkDigest(of:copiedFrom:package:)``).
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
            try checkDigest(of: temporary, copiedFrom: skeleton, package: package)
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
