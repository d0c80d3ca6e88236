public import JSON
public import QuantCore

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
    /// What the tensor is to its layer as the weights file's layout says: `kernel`, `bias`, `norm_scale`,
    /// `norm_shift`, `embedding` or `other`; absent when not recorded.
    public var layoutRole: String?
    /// The framework's name of the tensor (`conv1/kernel`, `encoder.layer.0.output.dense.weight`), when
    /// the layout gives one; the tensor keeps its HDF5 path in ``dataset``.
    public var sourceName: String?

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
        case layoutRole = "layout_role"
        case sourceName = "source_name"
    }
}

/// The representation of a stored tensor.
public enum TensorEncoding: String, Codable, Sendable, Hashable {
    /// Integer codes q with `x ≈ scale · (q − zero_point)`.
    case affine
    /// Minifloat codes c (uint8) with `x ≈ decode(c) · scale`.
    case minifloat
    /// MX / NVFP4 codes c (uint8) with a narrow scale code k (uint8) per block:
    /// `x ≈ decode(c) · (scale_decode(k) · global_scale)` (global_scale 1 without its dataset).
    case blockScaled = "block_scaled"
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
    /// Block-scaled tensors: the format of the uint8 scale codes (`e8m0`, `fp8_e4m3fn`); absent: float32 scales.
    public var scaleFormat: String?
    /// Block-scaled tensors: the element format of the codes (`fp4_e2m1fn`, ...).
    public var elementFormat: String?
    /// Block-scaled tensors: path of the float32 value of every scale code (`<dataset>.scale_decode_table`).
    public var scaleDecodeTableDataset: String?
    /// NVFP4: path of the float32 per-tensor scale (`<dataset>.global_scale`, a scalar).
    public var globalScaleDataset: String?
    /// Fixed point: E = 2^−fraction_bits for every parameter (absent when chosen per parameter).
    public var fractionBits: Int?
    /// Fixed point in the seed's decimal form: E = 10^−fraction_digits (scale = the float32 nearest E).
    public var fractionDigits: Int?
    /// How the codes were chosen when not by round-to-nearest on the observer's ranges (GPTQ, importance-clip,
    /// AWQ), with the method's settings; absent for round-to-nearest.
    public var method: WeightRoundingMethod?

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
        case scaleFormat = "scale_format"
        case elementFormat = "element_format"
        case scaleDecodeTableDataset = "scale_decode_table_dataset"
        case globalScaleDataset = "global_scale_dataset"
        case fractionBits = "fraction_bits"
        case fractionDigits = "fraction_digits"
        case method
    }

    /// Paths of every parameter dataset of the tensor (scales, zero points, decode tables, global scale, AWQ's s).
    public var parameterDatasets: [String] {
        [
            scaleDataset, zeroPointDataset, decodeTableDataset, scaleDecodeTableDataset, globalScaleDataset,
            method?.inputScaleDataset,
        ]
        .compactMap { $0 }
    }
}

/// The quantization parameters of one layer's input activation: per tensor (`scale`, `zero_point`) or per
/// channel (`granularity` `per-channel`, `axis`, `scales`, `zero_points`, each channel's range).
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
    /// Scale s (`x ≈ s · (q − z)`); absent per channel.
    public var scale: Float?
    /// Zero-point z; absent per channel.
    public var zeroPoint: Int?
    /// `per-channel` for per-channel parameters; absent per tensor.
    public var granularity: String?
    /// Per channel: the channel axis of the activation dataset (`[rows, …]`, so ≥ 1).
    public var axis: Int?
    /// Per channel: `shared` when every channel has the same zero point by configuration, else `per-channel`.
    public var zeroPointSharing: String?
    /// Per channel: each channel's range (what `range_min`/`range_max` are per tensor).
    public var channelRangeMin: [Float]?
    /// Per channel: upper ends of the channels' ranges.
    public var channelRangeMax: [Float]?
    /// Per channel: each channel's scale.
    public var scales: [Float]?
    /// Per channel: each channel's zero point.
    public var zeroPoints: [Int]?
    /// The compact histogram of the finite values observed (format version 2 packages written since it was
    /// recorded; absent before and when nothing finite was observed).
    public var histogram: ActivationHistogramRecord?
    /// The per-feature moments of the input stored beside the record (`activations: moments:`); absent
    /// when none were collected.
    public var inputMoments: InputMomentsRecord?
    /// The input's smoothing (SmoothQuant, ``ActivationSmoothingRecord``): then the record is per channel along
    /// the last axis with `scales` S·s_j and one shared zero point; absent without smoothing.
    public var smoothing: ActivationSmoothingRecord?

    /// Creates a record.
    public init(
        datasets: [String], observer: String, observerOptions: [String: JSONValue] = [:], elementCount: Int,
        nanCount: Int, infCount: Int, observedMin: Float?, observedMax: Float?, rangeMin: Float, rangeMax: Float,
        clippingFraction: Double, format: String, bits: Int, signed: Bool, narrowRange: Bool, qmin: Int, qmax: Int,
        scheme: String, schemeReason: String? = nil, profile: String, rounding: String, scale: Float?, zeroPoint: Int?
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
        case granularity
        case axis
        case zeroPointSharing = "zero_point_sharing"
        case channelRangeMin = "channel_range_min"
        case channelRangeMax = "channel_range_max"
        case scales
        case zeroPoints = "zero_points"
        case histogram
        case inputMoments = "input_moments"
        case smoothing
    }
}
