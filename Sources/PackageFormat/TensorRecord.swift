public import JSON

/// How one tensor is stored in `tensors.h5`, and how well it was quantized.
///
/// The dataset keeps its original path. For quantized tensors the parameters sit beside it:
/// `<path>.scale` (float32) and, for integer codes, `<path>.zero_point` (int32); see
/// `docs/package-format.md` for the dequantization formulas.
public struct TensorRecord: Codable, Sendable, Hashable {
    /// Dataset path in the weights file and in `tensors.h5` (absolute, e.g. `/fc1/weight`).
    public var dataset: String
    /// What the tensor is to its layer: `weight`, `bias`, or another name the naming rules gave it.
    public var role: String
    /// Shape of the original tensor.
    public var originalShape: [Int]
    /// Element type of the original dataset (`float32`, `float64`, `float16`, ...).
    public var originalDtype: String
    /// How the values are represented.
    public var encoding: TensorEncoding
    /// HDF5 element type of the stored dataset (`int8`, `uint8`, `int16`, `int32`, `float32`).
    public var storedDtype: String
    /// Shape of the stored dataset: the original shape, or `[⌈n·bits/8⌉]` for packed codes.
    public var storedShape: [Int]
    /// Bits per code when several codes share a byte (4 or 2), absent otherwise.
    public var packedBits: Int?
    /// The quantization parameters, absent for float32 tensors.
    public var quantization: TensorQuantization?
    /// Error of the stored tensor against the original, absent for float32 tensors.
    public var metrics: ErrorMetricsRecord?
    /// Why a tensor was left unquantized (`excluded by configuration`), absent otherwise.
    public var note: String?
    /// NaN elements of the original tensor (left out of its ranges), absent when there are none.
    public var nanCount: Int?
    /// ±Inf elements of the original tensor (left out of its ranges), absent when there are none.
    public var infCount: Int?

    /// Creates a record.
    public init(
        dataset: String, role: String, originalShape: [Int], originalDtype: String, encoding: TensorEncoding,
        storedDtype: String, storedShape: [Int], packedBits: Int? = nil, quantization: TensorQuantization? = nil,
        metrics: ErrorMetricsRecord? = nil, note: String? = nil, nanCount: Int? = nil, infCount: Int? = nil
    ) {
        self.dataset = dataset
        self.role = role
        self.originalShape = originalShape
        self.originalDtype = originalDtype
        self.encoding = encoding
        self.storedDtype = storedDtype
        self.storedShape = storedShape
        self.packedBits = packedBits
        self.quantization = quantization
        self.metrics = metrics
        self.note = note
        self.nanCount = nanCount
        self.infCount = infCount
    }

    /// Number of elements of the original tensor.
    public var elementCount: Int { originalShape.reduce(1, *) }

    enum CodingKeys: String, CodingKey {
        case dataset
        case role
        case originalShape = "original_shape"
        case originalDtype = "original_dtype"
        case encoding
        case storedDtype = "stored_dtype"
        case storedShape = "stored_shape"
        case packedBits = "packed_bits"
        case quantization
        case metrics
        case note
        case nanCount = "nan_count"
        case infCount = "inf_count"
    }
}

/// The representation of a stored tensor.
public enum TensorEncoding: String, Codable, Sendable, Hashable {
    /// Integer codes q with `x ≈ scale · (q − zero_point)`.
    case affine
    /// Minifloat codes c (uint8) with `x ≈ decode(c) · scale`.
    case minifloat
    /// The original values as float32 (not quantized).
    case float32
}

/// Quantization parameters of a stored tensor: format, scheme, granularity and where the scales and
/// zero-points are.
public struct TensorQuantization: Codable, Sendable, Hashable {
    /// Code format name: `int8`, `uint4`, `int8n` (narrow), or a minifloat such as `fp8-e4m3fn`.
    public var format: String
    /// Bits per code.
    public var bits: Int
    /// Whether integer codes are signed (minifloat codes: `true`, they carry a sign bit).
    public var signed: Bool
    /// Whether the integer range drops its most negative (signed) or largest (unsigned) code.
    public var narrowRange: Bool
    /// Smallest valid code (integer codes; for minifloat 0).
    public var qmin: Int
    /// Largest valid code (integer codes; for minifloat 2^bits − 1).
    public var qmax: Int
    /// `symmetric` or `asymmetric`.
    public var scheme: String
    /// Why this scheme was chosen (for `auto`), absent when the configuration fixed it.
    public var schemeReason: String?
    /// For `auto`: the mean squared error per finite element of the tensor quantized symmetrically (format
    /// version 2; absent when the configuration fixed the scheme).
    public var symmetricError: Double?
    /// For `auto`: the mean squared error with asymmetric parameters (absent when the configuration fixed the
    /// scheme or the profile has no asymmetric mode).
    public var asymmetricError: Double?
    /// `per-tensor`, `per-channel` or `per-group`.
    public var granularity: String
    /// Axis of per-channel and per-group parameters (normalized to 0…rank−1).
    public var axis: Int?
    /// Elements per group along ``axis`` for per-group parameters.
    public var groupSize: Int?
    /// Compatibility profile whose numerics were used (`ptqkit`, `pytorch`, `onnxruntime`, ...).
    public var profile: String
    /// Rounding rule (`half-even` or `half-away`).
    public var rounding: String
    /// Path of the float32 scale dataset in `tensors.h5` (`<dataset>.scale`).
    public var scaleDataset: String
    /// Path of the int32 zero-point dataset (`<dataset>.zero_point`); absent for minifloat.
    public var zeroPointDataset: String?
    /// Path of the float32 decode table of a minifloat tensor (`<dataset>.decode_table`, the value of
    /// every code); absent for integer codes.
    public var decodeTableDataset: String?
    /// Shape of the scale and zero-point datasets: `[]` per tensor, `[d(axis)]` per channel, the tensor
    /// shape with `d(axis)` replaced by `⌈d(axis)/group_size⌉` per group.
    public var parameterShape: [Int]

    /// Creates a description.
    public init(
        format: String, bits: Int, signed: Bool, narrowRange: Bool, qmin: Int, qmax: Int, scheme: String,
        schemeReason: String? = nil, granularity: String, axis: Int?, groupSize: Int?, profile: String,
        rounding: String, scaleDataset: String, zeroPointDataset: String?, parameterShape: [Int],
        decodeTableDataset: String? = nil
    ) {
        self.format = format
        self.bits = bits
        self.signed = signed
        self.narrowRange = narrowRange
        self.qmin = qmin
        self.qmax = qmax
        self.scheme = scheme
        self.schemeReason = schemeReason
        self.granularity = granularity
        self.axis = axis
        self.groupSize = groupSize
        self.profile = profile
        self.rounding = rounding
        self.scaleDataset = scaleDataset
        self.zeroPointDataset = zeroPointDataset
        self.parameterShape = parameterShape
        self.decodeTableDataset = decodeTableDataset
    }

    enum CodingKeys: String, CodingKey {
        case format
        case bits
        case signed
        case narrowRange = "narrow_range"
        case qmin
        case qmax
        case scheme
        case schemeReason = "scheme_reason"
        case symmetricError = "symmetric_error"
        case asymmetricError = "asymmetric_error"
        case granularity
        case axis
        case groupSize = "group_size"
        case profile
        case rounding
        case scaleDataset = "scale_dataset"
        case zeroPointDataset = "zero_point_dataset"
        case decodeTableDataset = "decode_table_dataset"
        case parameterShape = "parameter_shape"
    }
}

/// The quantization parameters of one layer's input activation (per tensor).
public struct ActivationRecord: Codable, Sendable, Hashable {
    /// Activation dataset path(s) the statistics came from (the same path in every shard counts once).
    public var datasets: [String]
    /// Observer name.
    public var observer: String
    /// Observer options as configured (empty: its defaults).
    public var observerOptions: [String: JSONValue]
    /// Elements observed (over all shards).
    public var elementCount: Int
    /// NaN elements seen (left out of the statistics).
    public var nanCount: Int
    /// ±Inf elements seen (left out of the statistics).
    public var infCount: Int
    /// Smallest finite value observed; absent when none was finite.
    public var observedMin: Float?
    /// Largest finite value observed; absent when none was finite.
    public var observedMax: Float?
    /// Lower end of the range the observer chose.
    public var rangeMin: Float
    /// Upper end of the range the observer chose.
    public var rangeMax: Float
    /// Fraction of observed finite elements outside the chosen range (clipped by quantization), 0…1.
    public var clippingFraction: Double
    /// Code format name (`int8`, `uint8`, ...).
    public var format: String
    /// Bits per code.
    public var bits: Int
    /// Whether codes are signed.
    public var signed: Bool
    /// Whether the range is narrow.
    public var narrowRange: Bool
    /// Smallest code.
    public var qmin: Int
    /// Largest code.
    public var qmax: Int
    /// `symmetric` or `asymmetric`.
    public var scheme: String
    /// Why this scheme was chosen, absent when the configuration fixed it.
    public var schemeReason: String?
    /// For `auto`: the expected mean squared error per finite element with symmetric parameters, on the
    /// exact histogram of everything observed (format version 2; absent when the configuration fixed the
    /// scheme).
    public var symmetricError: Double?
    /// For `auto`: the expected mean squared error with asymmetric parameters (absent when the configuration
    /// fixed the scheme or the profile has no asymmetric mode).
    public var asymmetricError: Double?
    /// Compatibility profile.
    public var profile: String
    /// Rounding rule.
    public var rounding: String
    /// Scale s (`x ≈ s · (q − z)`).
    public var scale: Float
    /// Zero-point z.
    public var zeroPoint: Int

    /// Creates a record.
    public init(
        datasets: [String], observer: String, observerOptions: [String: JSONValue] = [:], elementCount: Int,
        nanCount: Int, infCount: Int, observedMin: Float?, observedMax: Float?, rangeMin: Float, rangeMax: Float,
        clippingFraction: Double, format: String, bits: Int, signed: Bool, narrowRange: Bool, qmin: Int, qmax: Int,
        scheme: String, schemeReason: String? = nil, profile: String, rounding: String, scale: Float, zeroPoint: Int
    ) {
        self.datasets = datasets
        self.observer = observer
        self.observerOptions = observerOptions
        self.elementCount = elementCount
        self.nanCount = nanCount
        self.infCount = infCount
        self.observedMin = observedMin
        self.observedMax = observedMax
        self.rangeMin = rangeMin
        self.rangeMax = rangeMax
        self.clippingFraction = clippingFraction
        self.format = format
        self.bits = bits
        self.signed = signed
        self.narrowRange = narrowRange
        self.qmin = qmin
        self.qmax = qmax
        self.scheme = scheme
        self.schemeReason = schemeReason
        self.profile = profile
        self.rounding = rounding
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    enum CodingKeys: String, CodingKey {
        case datasets
        case observer
        case observerOptions = "observer_options"
        case elementCount = "element_count"
        case nanCount = "nan_count"
        case infCount = "inf_count"
        case observedMin = "observed_min"
        case observedMax = "observed_max"
        case rangeMin = "range_min"
        case rangeMax = "range_max"
        case clippingFraction = "clipping_fraction"
        case format
        case bits
        case signed
        case narrowRange = "narrow_range"
        case qmin
        case qmax
        case scheme
        case schemeReason = "scheme_reason"
        case symmetricError = "symmetric_error"
        case asymmetricError = "asymmetric_error"
        case profile
        case rounding
        case scale
        case zeroPoint = "zero_point"
    }
}
