import Foundation
public import HDF5
public import QuantCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why writing, reading or verifying a model package failed. Every case names the path (and where it
/// applies the tensor or manifest key) and the cause.
public enum PackageError: Error, Sendable, CustomStringConvertible {
    /// The output directory exists and `force` was not given.
    case outputExists(path: String)
    /// The output exists and `force` was given, but it may not be replaced: it is not an output of the
    /// same kind that PTQKit wrote, or it is (or holds) an input of the run (see ``ReplacementRule``).
    case refusedToReplace(path: String, reason: String)
    /// The output's parent directory is missing, not a directory, or not writable.
    case outputParentUnusable(path: String, reason: String)
    /// A file or directory of the package could not be created, written, synced or renamed.
    case cannotWrite(path: String, reason: String)
    /// A file could not be opened or read.
    case cannotRead(path: String, reason: String)
    /// The path is not a package directory (no `manifest.json`).
    case notAPackage(path: String)
    /// `manifest.json` is not valid JSON or does not decode into a manifest.
    case invalidManifest(path: String, reason: String)
    /// The manifest's format version is newer than this build reads.
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    /// A tensor cannot be stored as asked (its name, shape or parameters are inconsistent).
    case invalidTensor(name: String, reason: String)
    /// A tensor is missing from `tensors.h5` or its stored form disagrees with its description.
    case inconsistentTensor(file: String, name: String, reason: String)
    /// An HDF5 operation failed.
    case hdf5(HDF5Error)
    /// A quantization operation rejected its input.
    case quantization(name: String, QuantizationError)
    /// The run was interrupted (SIGINT or SIGTERM) and the temporary directory removed.
    case interrupted

    /// One line naming the path and the cause.
    public var description: String {
        switch self {
        case .outputExists(let path): "\(path): output exists (use --force to replace it)"
        case .refusedToReplace(let path, let reason):
            "\(path): output exists and --force will not replace it: \(reason)"
        case .outputParentUnusable(let path, let reason): "\(path): cannot create the output: \(reason)"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        case .cannotRead(let path, let reason): "\(path): cannot read: \(reason)"
        case .notAPackage(let path): "\(path): not a PTQKit package (no manifest.json)"
        case .invalidManifest(let path, let reason): "\(path): invalid manifest: \(reason)"
        case .unsupportedFormatVersion(let path, let found, let supported):
            "\(path): package format version \(found) is newer than this build reads (\(supported))"
        case .invalidTensor(let name, let reason): "tensor '\(name)': \(reason)"
        case .inconsistentTensor(let file, let name, let reason): "\(file): tensor '\(name)': \(reason)"
        case .hdf5(let error): error.description
        case .quantization(let name, let error): "tensor '\(name)': \(error)"
        case .interrupted: "interrupted; the partial package was removed"
        }
    }

    /// `strerror(errno)` of the calling thread.
    package static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    /// The cause of a Foundation write error in a few words: the underlying POSIX error's text
    /// ("File too large", "No space left on device") rather than the whole NSError dump.
    package static func reason(of error: any Error) -> String {
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return errnoText(posix.code.rawValue) }
            if let underlying = cocoa.underlying.map({ $0 as NSError }), underlying.domain == NSPOSIXErrorDomain {
                return errnoText(Int32(underlying.code))
            }
            if cocoa.code == .fileWriteOutOfSpace { return errnoText(ENOSPC) }
        }
        return error.localizedDescription
    }
}
