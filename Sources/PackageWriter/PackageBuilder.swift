import Foundation
public import PackageFormat

/// Writes a complete model package atomically: `tensors.h5` through ``tensors``, then ``finish(manifest:)``
/// writes `manifest.json` and `summary.md` and moves the directory into place (see
/// ``AtomicDirectoryWriter``). A builder dropped before `finish` leaves nothing behind.
///
/// ```swift
/// var builder = try PackageBuilder(destination: "out/pkg", force: false, inputs: [])
/// let record = try builder.tensors.writeAffine(dataset: "/fc1/weight", ...)
/// try builder.finish(manifest: Manifest(ptqkitVersion: ptqkitVersion, inputs: inputs, config: config,
///                                      layers: [LayerRecord(name: "fc1", tensors: [record])]))
/// ```
public struct PackageBuilder: ~Copyable {
    /// The directory being built.
    public let directory: AtomicDirectoryWriter
    /// The writer of `tensors.h5` inside it.
    public var tensors: TensorsFileWriter

    /// The files a package directory holds; with `--force` a directory holding anything else is not
    /// replaced.
    public static let packageFiles: Set<String> = [
        Manifest.fileName, "tensors.h5", "summary.md", SkeletonFile.fileName,
    ]

    /// What may be replaced at a package's destination: with `force`, an empty directory or a PTQKit
    /// package (only ``packageFiles``, a manifest of ``Manifest/formatName``) holding none of `inputs`.
    public static func replacementRule(force: Bool, inputs: [String]) -> ReplacementRule {
        ReplacementRule(force: force, outputKind: "PTQKit model package", inputs: inputs) { path in
            ReplacementRule.whyNotPackage(path, allowedFiles: packageFiles)
        }
    }

    /// Prepares `destination` (see ``AtomicDirectoryWriter/init(destination:rule:)``, with
    /// ``replacementRule(force:inputs:)``) and creates `tensors.h5` in the temporary directory.
    ///
    /// - Parameters:
    ///   - destination: the package directory to create.
    ///   - force: whether an existing package or empty directory may be replaced.
    ///   - inputs: the files the run reads: never replaced, and a directory holding one is not either.
    /// - Throws: ``PackageError`` naming `destination`.
    public init(destination: String, force: Bool, inputs: [String]) throws(PackageError) {
        let rule = Self.replacementRule(force: force, inputs: inputs)
        let directory = try AtomicDirectoryWriter(destination: destination, rule: rule)
        let writer = try TensorsFileWriter(path: directory.path("tensors.h5"))
        self.directory = directory
        tensors = writer
    }

    /// Closes `tensors.h5`, records its digest in the manifest (``Manifest/tensorsDigest``), writes the
    /// skeleton of `weights` when given (``SkeletonWriter``, recorded as ``Manifest/skeletonFile`` with its
    /// digest), `manifest.json` and `summary.md`, and commits the directory.
    /// - Parameters:
    ///   - manifest: the manifest to complete and write.
    ///   - weights: the weights file whose skeleton to write, if any.
    ///   - digest: the hash of the package's own files: XXH3-128 (the default: about 10 GB/s, so hashing
    ///     the codes of a large weights file is not the job's serial tail) or SHA-256 (as `sha256sum`
    ///     prints it; about 1.5 GB/s with SHA-NI).
    /// - Returns: the manifest as written (with the digests).
    /// - Throws: ``PackageError`` (the temporary directory is removed and an existing package kept).
    @discardableResult
    public consuming func finish(
        manifest: Manifest, skeletonOf weights: String? = nil, digest: Fingerprint.Algorithm = .xxh3
    ) throws(PackageError) -> Manifest {
        let directory = directory
        try tensors.close()
        var manifest = manifest
        manifest.tensorsDigest = try Fingerprint.of(fileAt: directory.path(manifest.tensorsFile), algorithm: digest).0
        if let weights {
            let path = directory.path(SkeletonFile.fileName)
            try SkeletonWriter.write(of: weights, tensors: manifest.tensors, to: path)
            manifest.skeletonFile = SkeletonFile.fileName
            manifest.skeletonDigest = try Fingerprint.of(fileAt: path, algorithm: digest).0
        }
        try manifest.write(toFile: directory.path(Manifest.fileName))
        try Self.write(Data(PackageSummary.markdown(manifest).utf8), to: directory.path(manifest.summaryFile))
        try directory.commit()
        return manifest
    }

    /// Writes `data` to a new file at `path`.
    static func write(_ data: Data, to path: String) throws(PackageError) {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw .cannotWrite(path: path, reason: PackageError.reason(of: error))
        }
    }
}
