import ArgumentParser
import PTQKit

/// Exit codes of `ptq`, one per category of failure, following BSD `sysexits.h` where a code fits.
/// Every error is printed to stderr as one line naming the file, the object and the cause; `ptq` never
/// traps on bad input.
///
/// | code | name | meaning |
/// |---|---|---|
/// | 0 | success | everything was done |
/// | 64 | usage (`EX_USAGE`) | bad command line: unknown option, missing argument, invalid value |
/// | 65 | data (`EX_DATAERR`) | input exists but is unusable: not HDF5, truncated or damaged, a Keras file whose layer_names, weight_names or vars groups do not match its datasets, a format feature libhdf5 cannot read, an unsupported element type where numbers are required, float64 values beyond float32's range, shards whose shapes disagree |
/// | 66 | no input (`EX_NOINPUT`) | a file, a dataset/group inside a file, or any match of a glob is missing; a virtual dataset's source or an external link's target is missing; no dataset of the inputs maps to a layer |
/// | 70 | software (`EX_SOFTWARE`) | an internal error (a bug: please report it), or the system refused what the run needs: a worker thread, file descriptors (the message says which limit to raise) |
/// | 73 | cannot create (`EX_CANTCREAT`) | an output cannot be created or written: it exists (without `--force`, or with `--force` but it is not PTQKit's output of that kind or is an input of the run), its parent is missing or not a directory, or writing failed (disk full, file size limit); nothing is left at the output path |
/// | 74 | I/O (`EX_IOERR`) | libhdf5 failed while reading an input (for example a missing filter plugin), or an input shrank or changed size while being read (a short read) |
/// | 78 | config (`EX_CONFIG`) | the configuration file is malformed or has an unknown key or invalid value (the message names the file, line and key path); or the datasets do not map to layers as the `naming` section requires (two datasets for one role, a layer name with a control character, unmatched layers with `naming.unmatched: error`) |
/// | 130, 143 | interrupted | SIGINT (130) or SIGTERM (143), 128 + the signal as a shell reports it; a partial output was removed |
///
/// `ptq inspect` goes on with the other files when one fails and exits with the code of the first failure.
/// A file on which libhdf5 itself crashes (or hangs) is found by a probe in a child process before it is
/// opened (see `FileProbe`) and reported as a data error (65): "libhdf5 crashed (signal N) reading FILE".
/// `ptq inspect` and `ptq calibrate` then stop; with `--keep-going` they skip that file (`ptq calibrate`
/// skips any activation file the probe cannot read), finish with the others (the package is written
/// from the remaining activation files), and exit with the first failure's code.
enum ExitCodes {
    /// 0: success.
    static let success = ExitCode.success
    /// 64: bad command line.
    static let usage = ExitCode(64)
    /// 65: input exists but is unusable.
    static let data = ExitCode(65)
    /// 66: input missing.
    static let noInput = ExitCode(66)
    /// 70: internal error.
    static let software = ExitCode(70)
    /// 73: an output cannot be created.
    static let cannotCreate = ExitCode(73)
    /// 74: libhdf5 failed while reading or writing.
    static let io = ExitCode(74)
    /// 78: the configuration is invalid.
    static let config = ExitCode(78)

    /// The exit code for an error thrown by the library.
    static func code(for error: any Error) -> ExitCode {
        switch error {
        case let error as HDF5Error: code(for: error.kind)
        case let error as TensorIOError:
            switch error {
            case .hdf5(let inner): code(for: inner.kind)
            case .noFilesMatch, .noFiles: noInput
            case .shapeMismatch: data
            case .invalidBatchSize: usage
            case .threadUnavailable: software
            }
        case let error as PackageError: code(for: error)
        case is ConfigError: config
        case let error as CalibrationError: code(for: error)
        case let error as StatisticsFileError: code(for: error)
        case is ValidationError: usage
        case let error as FileProbe.Failure: ExitCode(error.exitCode)
        case let error as CalibrationJobError: code(forJob: error)
        default: software
        }
    }

    /// The exit code of the failed step of a calibration job (130 when cancelled).
    static func code(forJob error: CalibrationJobError) -> ExitCode {
        switch error {
        case .cancelled: ExitCode(130)
        case .unencodable: software
        default: code(for: error.underlying)
        }
    }

    /// The exit code for a model-package failure.
    static func code(for error: PackageError) -> ExitCode {
        switch error {
        case .outputExists, .refusedToReplace, .outputParentUnusable, .cannotWrite: cannotCreate
        case .cannotRead: noInput
        case .notAPackage, .invalidManifest, .unsupportedFormatVersion, .invalidTensor, .inconsistentTensor,
            .quantization:
            data
        case .hdf5(let inner): code(for: inner.kind)
        case .interrupted: ExitCode(130)
        }
    }

    /// The exit code for a kind of HDF5 failure.
    static func code(for kind: HDF5Error.Kind) -> ExitCode {
        switch kind {
        case .fileNotFound, .objectNotFound: noInput
        case .notHDF5, .corruptFile, .unsupportedFormat, .unsupportedType, .wrongObjectType, .outOfRange: data
        case .invalidArgument: software
        case .library: io
        }
    }
}
