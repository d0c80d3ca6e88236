public import Foundation
public import JSON

/// `manifest.json`: what a model package holds and how it was made. Versioned by ``formatVersion``;
/// described by the JSON Schema ``ManifestSchema/text`` (committed as `docs/manifest.schema.json`).
///
/// Encoded with snake_case keys, sorted, pretty-printed, no timestamps: the same inputs and configuration
/// give the same bytes. Layers are sorted by name, tensors of a layer by dataset path.
public struct Manifest: Codable, Sendable, Hashable {
    /// The package format this build writes (and the newest it reads). Version 3 (the package's own files
    /// hashed with the run's fingerprint algorithm, XXH3-128 by default, under `tensors_xxh3_128` or
    /// `tensors_sha256`) replaced version 2 (PTQKit's keys all snake_case, the `auto` scheme errors
    /// recorded), which replaced version 1; `docs/package-format.md` lists the changes.
    public static let currentFormatVersion = 3
    /// The oldest package format this build reads.
    public static let oldestReadableFormatVersion = 1
    /// The value of ``format``.
    public static let formatName = "ptqkit-model-package"
    /// File name of the manifest inside a package.
    public static let fileName = "manifest.json"

    /// Always ``formatName``.
    public var format: String
    /// Package format version (``currentFormatVersion`` when written by this build).
    public var formatVersion: Int
    /// Version of PTQKit that wrote the package.
    public var ptqkitVersion: String
    /// Every input file, in command-line order within each role (weights, activations, config).
    public var inputs: [InputFile]
    /// The effective configuration (defaults filled in), as the calibrator encodes it: the configuration's
    /// own (kebab-case) keys.
    public var config: JSONValue
    /// Name of the tensor file inside the package (`tensors.h5`).
    public var tensorsFile: String
    /// Name of the human-readable summary inside the package (`summary.md`).
    public var summaryFile: String
    /// The digest of `tensors.h5` as written, so `ptq verify` detects any later change to it (an edited
    /// code, attribute or an added dataset). Stored under its algorithm's key: `tensors_xxh3_128` (the
    /// default from format version 3) or `tensors_sha256` (`--fingerprint sha256`, and every package of
    /// versions 1 and 2); absent in packages written before it was recorded.
    public var tensorsDigest: Fingerprint?
    /// Name of the original weights file's skeleton inside the package (`skeleton.h5`, see
    /// ``SkeletonFile``), from which `ptq dequantize` rebuilds a faithful copy of that file; absent when the
    /// package was made without weights or before skeletons were written.
    public var skeletonFile: String?
    /// The digest of the skeleton as written, with the algorithm and key rule of ``tensorsDigest``
    /// (`skeleton_xxh3_128` or `skeleton_sha256`); present with ``skeletonFile``.
    public var skeletonDigest: Fingerprint?
    /// One record per layer, sorted by name.
    public var layers: [LayerRecord]
    /// The weights file's layout, absent without a weights file (and in packages written before it was
    /// recorded).
    public var layout: LayoutRecord?

    /// Creates a manifest of the current format; layers and their tensors are sorted.
    public init(
        ptqkitVersion: String, inputs: [InputFile], config: JSONValue, layers: [LayerRecord],
        tensorsFile: String = "tensors.h5", summaryFile: String = "summary.md"
    ) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.ptqkitVersion = ptqkitVersion
        self.inputs = inputs
        self.config = config
        self.tensorsFile = tensorsFile
        self.summaryFile = summaryFile
        self.layers = layers.map { layer in
            var layer = layer
            layer.tensors.sort { $0.dataset < $1.dataset }
            return layer
        }.sorted { $0.name < $1.name }
    }

    /// Every tensor record of every layer, in manifest order.
    public var tensors: [TensorRecord] { layers.flatMap(\.tensors) }

    /// The canonical encoding: snake_case keys, sorted, pretty-printed, a final newline.
    public func encoded() throws(PackageError) -> Data {
        do {
            var data = try Self.encoder.encode(self)
            data.append(0x0A)
            return data
        } catch {
            throw .invalidManifest(path: Self.fileName, reason: "cannot encode: \(error)")
        }
    }

    /// Decodes a manifest of any format version from ``oldestReadableFormatVersion`` to
    /// ``currentFormatVersion``, rejecting newer ones.
    /// - Throws: ``PackageError/invalidManifest(path:reason:)`` or
    ///   ``PackageError/unsupportedFormatVersion(path:found:supported:)``.
    public static func decode(_ data: Data, path: String) throws(PackageError) -> Manifest {
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
            enum CodingKeys: String, CodingKey {
                case format
                case formatVersion = "format_version"
            }
        }
        let decoder = JSONDecoder()
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw .invalidManifest(path: path, reason: "not a JSON object: \(error)")
        }
        guard header.format == formatName else {
            throw .invalidManifest(
                path: path,
                reason: "format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(formatName)'")
        }
        if let version = header.formatVersion, version > currentFormatVersion {
            throw .unsupportedFormatVersion(path: path, found: version, supported: currentFormatVersion)
        }
        if let version = header.formatVersion, version < oldestReadableFormatVersion {
            throw .invalidManifest(path: path, reason: "format_version \(version) does not exist (the first is 1)")
        }
        do { return try decoder.decode(Manifest.self, from: data) } catch {
            throw .invalidManifest(path: path, reason: "\(error)")
        }
    }

    /// The encoder behind ``encoded()``.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes every key; a file's digest may be stored under one algorithm's key at most.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        ptqkitVersion = try c.decode(String.self, forKey: .ptqkitVersion)
        inputs = try c.decode([InputFile].self, forKey: .inputs)
        config = try c.decode(JSONValue.self, forKey: .config)
        tensorsFile = try c.decode(String.self, forKey: .tensorsFile)
        summaryFile = try c.decode(String.self, forKey: .summaryFile)
        tensorsDigest = try Self.digest(in: c, of: .tensors)
        skeletonFile = try c.decodeIfPresent(String.self, forKey: .skeletonFile)
        skeletonDigest = try Self.digest(in: c, of: .skeleton)
        layers = try c.decode([LayerRecord].self, forKey: .layers)
        layout = try c.decodeIfPresent(LayoutRecord.self, forKey: .layout)
    }

    /// Encodes every key, each digest under its algorithm's key (`tensors_xxh3_128`, `skeleton_sha256`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(ptqkitVersion, forKey: .ptqkitVersion)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(config, forKey: .config)
        try c.encode(tensorsFile, forKey: .tensorsFile)
        try c.encode(summaryFile, forKey: .summaryFile)
        if let tensorsDigest { try c.encode(tensorsDigest.hex, forKey: .digest(.tensors, tensorsDigest.algorithm)) }
        try c.encodeIfPresent(skeletonFile, forKey: .skeletonFile)
        if let skeletonDigest {
            try c.encode(skeletonDigest.hex, forKey: .digest(.skeleton, skeletonDigest.algorithm))
        }
        try c.encode(layers, forKey: .layers)
        try c.encodeIfPresent(layout, forKey: .layout)
    }

    /// The package files whose digests the manifest records.
    public enum DigestedFile: String, Sendable {
        /// `tensors.h5` (``tensorsDigest``).
        case tensors
        /// `skeleton.h5` (``skeletonDigest``).
        case skeleton
    }

    /// The manifest key `file`'s digest under `algorithm` is stored under: `tensors_xxh3_128`,
    /// `skeleton_sha256`, ...
    public static func digestKey(_ file: DigestedFile, _ algorithm: Fingerprint.Algorithm) -> String {
        CodingKeys.digest(file, algorithm).rawValue
    }

    /// The digest of `file` under whichever algorithm's key holds it.
    private static func digest(
        in c: KeyedDecodingContainer<CodingKeys>, of file: DigestedFile
    ) throws -> Fingerprint? {
        var found: Fingerprint?
        for algorithm in Fingerprint.Algorithm.allCases {
            let key = CodingKeys.digest(file, algorithm)
            guard let hex = try c.decodeIfPresent(String.self, forKey: key) else { continue }
            guard found == nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "more than one digest of \(file.rawValue).h5")
            }
            found = Fingerprint(algorithm: algorithm, hex: hex)
        }
        return found
    }

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case ptqkitVersion = "ptqkit_version"
        case inputs
        case config
        case tensorsFile = "tensors_file"
        case summaryFile = "summary_file"
        case tensorsSHA256 = "tensors_sha256"
        case tensorsXXH3 = "tensors_xxh3_128"
        case skeletonFile = "skeleton_file"
        case skeletonSHA256 = "skeleton_sha256"
        case skeletonXXH3 = "skeleton_xxh3_128"
        case layers
        case layout

        /// The key of `file`'s digest under `algorithm`: `<file>_<algorithm key>`.
        static func digest(_ file: DigestedFile, _ algorithm: Fingerprint.Algorithm) -> CodingKeys {
            switch (file, algorithm) {
            case (.tensors, .sha256): .tensorsSHA256
            case (.tensors, .xxh3): .tensorsXXH3
            case (.skeleton, .sha256): .skeletonSHA256
            case (.skeleton, .xxh3): .skeletonXXH3
            }
        }
    }
}

/// One input file of a package, fingerprinted.
public struct InputFile: Codable, Sendable, Hashable {
    /// What the file was used as.
    public enum Role: String, Codable, Sendable, Hashable {
        /// Pre-trained weights.
        case weights
        /// Recorded activations (one of possibly several shards).
        case activations
        /// The configuration file.
        case config
        /// Saved activation statistics (`.ptqstats`, from `ptq observe` / `ptq merge`).
        case statistics
    }
    /// What the file was used as.
    public var role: Role
    /// The path as given on the command line.
    public var path: String
    /// Size in bytes.
    public var size: Int
    /// The digest of the contents, stored under its algorithm's key (`xxh3_128` or `sha256`); `nil` for a
    /// run with `--fingerprint none` (nothing to check later).
    public var fingerprint: Fingerprint?

    /// Creates a record from known values.
    public init(role: Role, path: String, size: Int, fingerprint: Fingerprint?) {
        self.role = role
        self.path = path
        self.size = size
        self.fingerprint = fingerprint
    }

    /// Hashes the file at `path` with `algorithm` (`nil`: only its size is recorded).
    public init(role: Role, hashing path: String, algorithm: Fingerprint.Algorithm?) throws(PackageError) {
        guard let algorithm else {
            self.init(role: role, path: path, size: try Fingerprint.size(ofFileAt: path), fingerprint: nil)
            return
        }
        let (fingerprint, size) = try Fingerprint.of(fileAt: path, algorithm: algorithm)
        self.init(role: role, path: path, size: size, fingerprint: fingerprint)
    }

    /// Decodes `role`, `path`, `size` and at most one digest key (`xxh3_128` or `sha256`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        path = try container.decode(String.self, forKey: .path)
        size = try container.decode(Int.self, forKey: .size)
        fingerprint = nil
        for algorithm in Fingerprint.Algorithm.allCases {
            guard let hex = try container.decodeIfPresent(String.self, forKey: CodingKeys(algorithm)) else { continue }
            guard fingerprint == nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: CodingKeys(algorithm), in: container, debugDescription: "more than one digest")
            }
            fingerprint = Fingerprint(algorithm: algorithm, hex: hex)
        }
    }

    /// Encodes `role`, `path`, `size` and the digest under its algorithm's key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(path, forKey: .path)
        try container.encode(size, forKey: .size)
        if let fingerprint { try container.encode(fingerprint.hex, forKey: CodingKeys(fingerprint.algorithm)) }
    }

    enum CodingKeys: String, CodingKey {
        case role
        case path
        case size
        case sha256
        case xxh3 = "xxh3_128"

        /// The key a digest of `algorithm` is stored under.
        init(_ algorithm: Fingerprint.Algorithm) {
            switch algorithm {
            case .sha256: self = .sha256
            case .xxh3: self = .xxh3
            }
        }
    }
}

/// One layer of a package: its weight tensors (weight, bias) and its input activation's parameters.
public struct LayerRecord: Codable, Sendable, Hashable {
    /// Layer name (as the configuration's naming rules derive it from dataset paths).
    public var name: String
    /// The layer's tensors stored in `tensors.h5`, sorted by dataset path.
    public var tensors: [TensorRecord]
    /// Quantization parameters of the layer's input activation, when activations were calibrated.
    public var activation: ActivationRecord?
    /// The layer's effective settings (configuration defaults, then the overrides that matched, and
    /// whether it is excluded), as the calibrator records them: snake_case keys from format version 2
    /// (`auto_margin`, `applied_overrides`), camelCase in version 1; observer options as configured.
    public var policy: JSONValue?
    /// The framework's class of the layer (`Conv2D`, `Dense`), when the weights file's layout says it.
    public var layerClass: String?

    /// Creates a record.
    public init(
        name: String, tensors: [TensorRecord] = [], activation: ActivationRecord? = nil, policy: JSONValue? = nil
    ) {
        self.name = name
        self.tensors = tensors
        self.activation = activation
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case name
        case tensors
        case activation
        case policy
        case layerClass = "layer_class"
    }
}

/// Error of a quantized tensor against the original, over its finite elements.
public struct ErrorMetricsRecord: Codable, Sendable, Hashable {
    /// Signal-to-quantization-noise ratio, 10·log10(Σx² / Σ(x − x̂)²) in dB; absent when the error (or the
    /// signal) is 0.
    public var sqnrDecibels: Double?
    /// Mean squared error, Σ(x − x̂)² / n.
    public var mse: Double
    /// Largest absolute error, max |x − x̂|.
    public var maxAbsError: Double

    /// Creates a record.
    public init(sqnrDecibels: Double?, mse: Double, maxAbsError: Double) {
        self.sqnrDecibels = sqnrDecibels
        self.mse = mse
        self.maxAbsError = maxAbsError
    }

    enum CodingKeys: String, CodingKey {
        case sqnrDecibels = "sqnr_decibels"
        case mse
        case maxAbsError = "max_abs_error"
    }
}
