import Foundation
import HDF5

/// The invariants of the package directory and of `skeleton.h5` (`docs/package-format.md`, "The
/// skeleton"): nothing in the directory but the files the manifest names, and a skeleton that is the
/// file recorded, self-contained, with every listed tensor's dataset of its original type and shape and
/// every placeholder without data.
extension PackageVerifier {
    /// The package directory holds only `manifest.json` and the files the manifest names (tensors,
    /// summary, skeleton).
    static func checkDirectory(_ package: borrowing PackageReader, _ report: inout Report) {
        let manifest = package.manifest
        let named = Set(
            [Manifest.fileName, manifest.tensorsFile, manifest.summaryFile] + [manifest.skeletonFile].compactMap { $0 })
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: package.path) else {
            report.check("\(package.path): cannot list the package directory")
            return
        }
        for entry in entries.sorted() where !named.contains(entry) {
            report.check("\(package.path)/\(entry): not part of the package (the manifest names no such file)")
        }
        report.checks += 1
    }

    /// With a skeleton recorded: it has the recorded digest, is HDF5, has no external link, and holds
    /// for every tensor of the manifest a dataset of the tensor's original type and shape, without data
    /// when it is a placeholder (``SkeletonFile/isPlaceholder(_:)``; compact datasets excepted, whose
    /// storage is always allocated).
    static func checkSkeleton(_ package: borrowing PackageReader, _ report: inout Report) {
        let manifest = package.manifest
        guard let name = manifest.skeletonFile else { return }
        let path = "\(package.path)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else {
            report.check("\(path): missing (the manifest's skeleton_file names it)")
            return
        }
        if let recorded = manifest.skeletonDigest {
            checkDigest(
                of: .skeleton, at: path, recorded: recorded, changed: "the skeleton changed after packaging", &report)
        } else {
            report.check(
                "\(Manifest.fileName): skeleton_file without a digest of it (skeleton_xxh3_128 or skeleton_sha256)")
        }
        do {
            let file = try File(path)
            for entry in try file.walk() {
                if case .externalLink(let target, let object) = entry.kind {
                    report.check(
                        "\(path):\(entry.path): an external link (to \(target):\(object)); "
                            + "a skeleton stands alone")
                }
            }
            report.checks += 1
            for record in manifest.tensors {
                checkSkeletonDataset(record, in: file, &report)
            }
        } catch {
            report.check("\(path): cannot read: \(error)")
        }
    }

    /// The skeleton's dataset of one tensor: present, of the original type and shape, empty if a placeholder.
    private static func checkSkeletonDataset(_ record: TensorRecord, in file: borrowing File, _ report: inout Report) {
        let place = "\(file.filePath):\(record.dataset)"
        do {
            let dataset = try file.openDataset(record.dataset)
            let type = dataset.elementType.description
            report.check(
                type == record.originalDtype && dataset.shape == record.originalShape
                    ? nil
                    : "\(place): \(type) \(dataset.shape), the manifest's original is "
                        + "\(record.originalDtype) \(record.originalShape)")
            if SkeletonFile.isPlaceholder(record) {
                let info = try dataset.info()
                report.check(
                    info.storage == .compact || info.storageBytes == 0
                        ? nil : "\(place): a placeholder holding \(info.storageBytes) bytes of data (it has none)")
            }
        } catch {
            report.check("\(place): no dataset for the tensor: \(error.kind.summary)")
        }
    }
}
