public import Calibrator
import Foundation
public import PackageFormat
import PackageWriter
public import TensorIO

/// A saved observe phase (`.ptqstats`): the observers' states of one shard, or of several merged, and
/// everything needed to check and use them — versioned, checksummed and self-describing.
///
/// On disk it is one JSON object, written atomically:
///
///     {"format":"ptqkit-statistics","formatVersion":1,"sha256":"<hex>","body":{…}}
///
/// `sha256` is the SHA-256 of the body's exact bytes, which are the canonical encoding of ``Body``
/// (sorted keys, no whitespace). Reading recomputes it, so flipped bytes and truncation are reported
/// as ``StatisticsFileError/corrupted(path:reason:)`` naming the file.
///
/// The body records the configuration (and its digest), the ``ShardPlan`` (sorted input paths with
/// sizes, datasets, rows and chunking, shard count; and its digest), the shards covered and any
/// accepted as missing, the row ranges covered, the SHA-256 of each input file fingerprinted by a
/// covered shard, and the ``ActivationStatistics``.
public struct StatisticsFile: Sendable {
    /// The `format` tag.
    public static let format = "ptqkit-statistics"
    /// The layout version written.
    public static let formatVersion = 1
    /// The customary file extension.
    public static let fileExtension = "ptqstats"

    /// The checksummed contents.
    public struct Body: Sendable, Codable {
        /// PTQKit version that observed (merges refuse mixing versions).
        public var ptqkitVersion: String
        /// SHA-256 of the canonical JSON of ``config``.
        public var configDigest: String
        /// The configuration the observers were made from.
        public var config: CalibrationConfig
        /// The configuration file as given to `ptq observe`, fingerprinted (`nil` for the defaults).
        public var configFile: InputFile?
        /// How the inputs are split.
        public var plan: ShardPlan
        /// SHA-256 of the canonical JSON of ``plan``.
        public var planDigest: String
        /// Shards whose rows these statistics include, ascending.
        public var shards: [Int]
        /// Shards accepted as missing by a partial merge, ascending (empty when complete).
        public var missingShards: [Int]
        /// The row ranges included, in plan order.
        public var coverage: [ShardPlan.Segment]
        /// The activation files fingerprinted by the covered shards, in plan order.
        public var inputs: [InputFile]
        /// The observers' states.
        public var statistics: ActivationStatistics

        /// Whether every shard is included or was accepted as missing.
        public var isComplete: Bool { Set(shards + missingShards) == Set(0..<plan.shardCount) }
    }

    /// The contents.
    public var body: Body

    /// Wraps a body.
    public init(body: Body) {
        self.body = body
    }

    /// Observes shard `shard` of the activation files `files` (globs expanded) with `calibrator`,
    /// fingerprinting the files this shard owns (see ``ShardPlan/owners``).
    ///
    /// - Parameters:
    ///   - calibrator: the configured calibrator whose observers run.
    ///   - files: the activation files or glob patterns of the whole plan.
    ///   - shard: which shard of the plan this run observes.
    ///   - configFile: the configuration file to record (hashed), if one was given.
    ///   - toolVersion: the PTQKit version to record.
    ///   - fingerprint: the hash of the recorded files (`nil`: sizes only, see ``InputFile/fingerprint``).
    ///   - progress: called after each activation batch, on this thread.
    /// - Returns: this shard's statistics.
    /// - Throws: ``StatisticsFileError``.
    public static func observe(
        calibrator: Calibrator, files: [String], shard: ShardSpec, configFile: String?, toolVersion: String,
        fingerprint: Fingerprint.Algorithm? = .xxh3, progress: (CalibrationProgress) -> Void = { _ in }
    ) throws(StatisticsFileError) -> StatisticsFile {
        let expanded = try expand(files)
        let sorted = expanded.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let datasets: (observed: [String], all: [String])
        do {
            datasets = try calibrator.activationDatasets(files: sorted)
        } catch {
            throw .calibration(error)
        }
        let plan: ShardPlan
        do {
            plan = try ShardPlan(files: sorted, datasets: datasets.observed, shardCount: shard.count)
        } catch let .input(error) {
            throw .calibration(.input(error))
        } catch {
            throw .calibration(.noInputs("\(error)"))
        }
        let segments = plan.segments(of: shard)
        let statistics: ActivationStatistics
        do {
            statistics = try calibrator.observe(
                segments: segments, files: plan.files.map(\.path), allDatasets: datasets.all, progress: progress)
        } catch {
            throw .calibration(error)
        }
        var inputs: [InputFile] = []
        do {
            for (file, owner) in zip(plan.files, plan.owners) where owner == shard.index {
                inputs.append(try InputFile(role: .activations, hashing: file.path, algorithm: fingerprint))
            }
            let configInput = try configFile.map { (path) throws(PackageError) in
                try InputFile(role: .config, hashing: path, algorithm: fingerprint)
            }
            return StatisticsFile(
                body: Body(
                    ptqkitVersion: toolVersion, configDigest: try digest(of: calibrator.config),
                    config: calibrator.config,
                    configFile: configInput, plan: plan, planDigest: try digest(of: plan), shards: [shard.index],
                    missingShards: [], coverage: segments, inputs: inputs, statistics: statistics))
        } catch let error as PackageError {
            throw .package(error)
        } catch {
            throw .package(.cannotWrite(path: "", reason: "cannot encode the statistics: \(error)"))
        }
    }

    /// The files named by `arguments`: glob patterns expanded (sorted), plain paths kept.
    static func expand(_ arguments: [String]) throws(StatisticsFileError) -> [String] {
        var files: [String] = []
        for argument in arguments {
            if ShardGlob.isPattern(argument) {
                let matches = ShardGlob.paths(matching: argument)
                guard !matches.isEmpty else { throw .calibration(.input(.noFilesMatch(pattern: argument))) }
                files += matches
            } else {
                files.append(argument)
            }
        }
        guard !files.isEmpty else { throw .calibration(.noInputs("no activation files given")) }
        return files
    }

    /// SHA-256 (hex) of the canonical JSON of `value`.
    static func digest(of value: some Encodable) throws -> String {
        var hasher = SHA256()
        hasher.update(Array(try canonicalEncoder().encode(value)))
        return hasher.finalize().hex
    }

    /// Sorted keys, no whitespace, unescaped slashes, non-finite floats as strings.
    static func canonicalEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
