public import PackageFormat
import Foundation

/// Writes a complete model package atomically: `tensors.h5` through ``tensors``, then ``finish(manifest:)``
/// writes `manifest.json` and `summary.md` and moves the directory into place (see
/// ``AtomicDirectoryWriter``). A builder dropped before `finish` leaves nothing behind.
///
/// ```swift
/// var builder = try PackageBuilder(destination: "out/pkg", force: false)
/// let record = try builder.tensors.writeAffine(dataset: "/fc1/weight", ...)
/// try builder.finish(manifest: Manifest(ptqkitVersion: ptqkitVersion, inputs: inputs, config: config,
///                                      layers: [LayerRecord(name: "fc1", tensors: [record])]))
/// ```
public struct PackageBuilder: ~Copyable {
    /// The directory being built.
    public let directory: AtomicDirectoryWriter
    /// The writer of `tensors.h5` inside it.
    public var tensors: TensorsFileWriter

    /// Prepares `destination` (see ``AtomicDirectoryWriter/init(destination:force:)``) and creates
    /// `tensors.h5` in the temporary directory.
    public init(destination: String, force: Bool) throws(PackageError) {
        let directory = try AtomicDirectoryWriter(destination: destination, force: force)
        let writer = try TensorsFileWriter(path: directory.path("tensors.h5"))
        self.directory = directory
        tensors = writer
    }

    /// Closes `tensors.h5`, writes `manifest.json` and `summary.md`, and commits the directory.
    /// - Throws: ``PackageError`` (the temporary directory is removed and an existing package kept).
    public consuming func finish(manifest: Manifest) throws(PackageError) {
        let directory = directory
        try tensors.close()
        try Self.write(manifest.encoded(), to: directory.path(Manifest.fileName))
        try Self.write(Data(PackageSummary.markdown(manifest).utf8), to: directory.path(manifest.summaryFile))
        try directory.commit()
    }

    /// Writes `data` to a new file at `path`.
    static func write(_ data: Data, to path: String) throws(PackageError) {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw .cannotWrite(path: path, reason: PackageError.reason(of: error))
        }
    }
}
