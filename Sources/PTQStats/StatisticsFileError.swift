public import Calibrator
public import PackageFormat
import PackageWriter

/// Why a statistics file (`.ptqstats`) cannot be written, read, merged or used. Every case names the
/// file(s) and the cause.
public enum StatisticsFileError: Error, Sendable, CustomStringConvertible {
    /// The file cannot be read.
    case cannotRead(path: String, reason: String)
    /// The file is damaged or truncated: its header does not parse, or the SHA-256 of its body does
    /// not match the header's.
    case corrupted(path: String, reason: String)
    /// A format version this build does not read.
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    /// The body is intact but does not decode (for example an observer kind this build does not know).
    case invalidContents(path: String, reason: String)
    /// Two files were observed with different configurations.
    case differentConfigs(path: String, other: String)
    /// Two files were observed over different inputs (paths, sizes, datasets, rows) or shard counts.
    case differentPlans(path: String, other: String, reason: String)
    /// Two files cover the same shard (a shard observed twice, or a file given twice).
    case duplicateShard(shard: Int, paths: [String])
    /// Two files disagree on a file's fingerprint.
    case conflictingFingerprint(file: String, paths: [String])
    /// Shards are missing from the merged coverage (allowed with `--allow-partial`).
    case missingShards([Int], of: Int)
    /// No files were given.
    case noInputs
    /// The observation or calibration failed.
    case calibration(CalibrationError)
    /// Writing the file or fingerprinting an input failed.
    case package(PackageError)

    /// One line naming the file(s) and the cause.
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): "\(path): cannot read: \(reason)"
        case .corrupted(let path, let reason): "\(path): corrupted statistics file: \(reason)"
        case .unsupportedFormatVersion(let path, let found, let supported):
            "\(path): statistics format version \(found) is not supported (this build reads 1…\(supported))"
        case .invalidContents(let path, let reason): "\(path): invalid statistics: \(reason)"
        case .differentConfigs(let path, let other):
            """
            \(path): observed with another configuration than \(other) (config digests differ); observe every shard \
            with the same config
            """
        case .differentPlans(let path, let other, let reason):
            """
            \(path): covers other inputs than \(other): \(reason); observe every shard with the same files and shard \
            count
            """
        case .duplicateShard(let shard, let paths):
            "shard \(shard) is covered twice (overlapping rows) by \(paths.joined(separator: " and "))"
        case .conflictingFingerprint(let file, let paths):
            """
            \(file): fingerprinted differently by \(paths.joined(separator: " and ")) (the file changed between \
            shards)
            """
        case .missingShards(let shards, let count):
            "missing shard\(shards.count == 1 ? "" : "s") \(Self.list(shards)) of \(count) (rows not covered); "
                + "observe \(shards.count == 1 ? "it" : "them") or pass --allow-partial to accept the gap"
        case .noInputs: "no statistics files given"
        case .calibration(let error): error.description
        case .package(let error): error.description
        }
    }

    /// `0, 2, 5` (at most 20 shown).
    static func list(_ shards: [Int]) -> String {
        let shown = shards.prefix(20).map(String.init).joined(separator: ", ")
        return shards.count > 20 ? shown + ", … (\(shards.count) in all)" : shown
    }
}
