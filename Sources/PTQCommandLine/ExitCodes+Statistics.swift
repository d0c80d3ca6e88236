import ArgumentParser
import PTQKit

extension ExitCodes {
    /// The exit code for a statistics-file failure (`ptq observe`, `ptq merge`, `ptq calibrate --stats`):
    /// 66 unreadable file; 65 corrupted (checksum), unsupported version, other inputs or shard count,
    /// a shard covered twice, missing shards, conflicting fingerprints; 78 another configuration;
    /// 64 no files given; calibration and output failures by their own category.
    static func code(for error: StatisticsFileError) -> ExitCode {
        switch error {
        case .cannotRead: noInput
        case .corrupted, .unsupportedFormatVersion, .invalidContents, .differentPlans, .duplicateShard,
            .conflictingFingerprint, .missingShards:
            data
        case .differentConfigs: config
        case .noInputs: usage
        case .calibration(let inner): code(for: inner)
        case .package(let inner): code(for: inner)
        }
    }

    /// The exit code for a calibration failure.
    static func code(for error: CalibrationError) -> ExitCode {
        switch error {
        case .config, .naming: config
        case .noInputs: noInput
        case .input(let inner): code(for: inner)
        case .observer, .quantization, .weightMethod, .weightTooLarge, .weightUnallocatable, .layout: data
        case .memoryBudget: usage
        }
    }
}
