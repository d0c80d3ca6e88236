import HDF5
public import PackageFormat
public import QuantCore

/// Writes `tensors.h5`: each tensor under its original dataset path, as integer codes (packed two or four
/// to a byte for 4- and 2-bit formats), minifloat codes, or float32; scales and zero-points beside it; and
/// attributes that make every dataset self-describing (see `docs/package-format.md`).
///
/// Each `write…` call returns the ``TensorRecord`` the manifest lists for the tensor.
public struct TensorsFileWriter: ~Copyable {
    /// The file being written.
    let file: File
    /// Paths written so far (to refuse collisions such as a tensor named like another's `.scale`).
    var written: Set<String> = []

    /// Suffix of a tensor's scale dataset.
    public static let scaleSuffix = ".scale"
    /// Suffix of a tensor's zero-point dataset.
    public static let zeroPointSuffix = ".zero_point"
    /// Suffix of a minifloat tensor's decode table.
    public static let decodeTableSuffix = ".decode_table"
    /// The `formula` attribute of integer tensors.
    public static let affineFormula = TensorRecord.affineFormula
    /// The `formula` attribute of minifloat tensors.
    public static let minifloatFormula = TensorRecord.minifloatFormula

    /// How many of `values` satisfy `property` (NaN, ±Inf), or `nil` for none: the manifest records
    /// non-finite elements of a quantized tensor only when there are some.
    static func count(_ values: [Float], _ property: (Float) -> Bool) -> Int? {
        let count = values.reduce(0) { $0 + (property($1) ? 1 : 0) }
        return count > 0 ? count : nil
    }

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(PackageError) {
        do { file = try File(path, mode: .truncate) } catch { throw .hdf5(error) }
    }

    /// Quantizes `values` (row-major, `shape`) with `parameters` and stores the codes, the scales and
    /// zero-points, and their attributes, with the error of the stored tensor (see
    /// ``writeAffine(dataset:role:codes:shape:originalDtype:parameters:symmetry:profile:schemeReason:metrics:)``).
    ///
    /// - Throws: ``PackageError`` naming the dataset.
    public mutating func writeAffine(
        dataset: String, role: String, values: [Float], shape: [Int], originalDtype: String,
        parameters: QuantizationParameters, symmetry: Symmetry, profile: CompatibilityProfile,
        schemeReason: String? = nil
    ) throws(PackageError) -> TensorRecord {
        guard values.count == shape.reduce(1, *) else {
            throw .invalidTensor(name: dataset, reason: "\(values.count) values for shape \(shape)")
        }
        let codes: [Int32]
        let metrics: ErrorMetricsRecord
        do {
            codes = try parameters.quantize(values, as: Int32.self)
            metrics = ErrorMetricsRecord(
                try ErrorMetrics(reference: values, reconstruction: try parameters.dequantize(codes)))
        } catch {
            throw .quantization(name: dataset, error)
        }
        return try writeAffine(
            dataset: dataset, role: role, codes: codes, shape: shape, originalDtype: originalDtype,
            parameters: parameters,
            symmetry: symmetry, profile: profile, schemeReason: schemeReason, metrics: metrics,
            nanCount: Self.count(values, \.isNaN), infCount: Self.count(values, \.isInfinite))
    }

    /// Stores integer `codes` (row-major, `shape`; as ``QuantizationParameters/quantize(_:as:)`` made them
    /// with `parameters`), the scales and zero-points, and their attributes, recording `metrics` (the error
    /// of exactly these codes) in the tensor's record.
    ///
    /// Codes are stored as the narrowest HDF5 integer type that holds them (int8/uint8, int16/uint16),
    /// except 4- and 2-bit codes, which are packed into uint8 in QuantCore's ``PackedCodes`` layout.
    ///
    /// - Parameters:
    ///   - dataset: absolute path of the tensor (in the weights file and here).
    ///   - role: the tensor's role in its layer (`weight`, `bias`).
    ///   - codes: the integer codes, row-major, one per element of `shape`.
    ///   - shape: the tensor's shape.
    ///   - originalDtype: element type name of the source dataset.
    ///   - parameters: the scales and zero-points the codes were made with.
    ///   - symmetry: the scheme the parameters came from.
    ///   - profile: the numerics profile that computed them.
    ///   - schemeReason: why the scheme was chosen, when it was chosen automatically.
    ///   - metrics: the error of exactly these codes.
    ///   - nanCount: the NaN elements of the original tensor, recorded when not `nil`.
    ///   - infCount: the infinite elements of the original tensor, recorded when not `nil`.
    ///   - fixedPoint: for fixed-point codes (scales E = 2^−n or 10^−d), the format `fixed` and its exponent.
    /// - Returns: the tensor's manifest record.
    /// - Throws: ``PackageError`` naming the dataset.
    public mutating func writeAffine(
        dataset: String, role: String, codes: [Int32], shape: [Int], originalDtype: String,
        parameters: QuantizationParameters, symmetry: Symmetry, profile: CompatibilityProfile, schemeReason: String?,
        metrics: ErrorMetricsRecord, nanCount: Int? = nil, infCount: Int? = nil, fixedPoint: FixedPointRecord? = nil
    ) throws(PackageError) -> TensorRecord {
        guard parameters.shape == shape, codes.count == shape.reduce(1, *) else {
            throw .invalidTensor(
                name: dataset,
                reason: "parameters are for shape \(parameters.shape), tensor has \(shape) (\(codes.count) values)")
        }
        return try writeAffine(
            dataset: dataset, role: role, shape: shape, originalDtype: originalDtype, parameters: parameters,
            symmetry: symmetry, profile: profile, schemeReason: schemeReason, metrics: metrics, nanCount: nanCount,
            infCount: infCount, fixedPoint: fixedPoint
        ) { body in try codes.withUnsafeBufferPointer { try body($0) } }
    }

    /// ``writeAffine(dataset:role:codes:shape:originalDtype:parameters:symmetry:profile:schemeReason:metrics:nanCount:infCount:)``
    /// with the codes given block by block, in row-major order (every block but the last a multiple of 4
    /// codes, so that packed bytes never straddle two blocks): `codeBlocks` calls its argument with each
    /// block. The codes are converted and written as they come (``StreamingDatasetWriter``), so a tensor of
    /// any size takes a few blocks of memory; the file is the same, byte for byte, as with the codes whole.
    ///
    /// With `concurrent` of more than one worker the same codes come from its threads instead, each block
    /// converted and written on the thread that produced it straight into the dataset's storage
    /// (``DirectWriter``; `codeBlocks` is then not called), the same file byte for byte; when the file
    /// does not allow direct writes, `codeBlocks` is used.
    ///
    /// - Throws: ``PackageError`` naming the dataset; an `HDF5Error` from `codeBlocks` (reading the source
    ///   again) as ``PackageError/hdf5(_:)``.
    public mutating func writeAffine(
        dataset: String, role: String, shape: [Int], originalDtype: String, parameters: QuantizationParameters,
        symmetry: Symmetry, profile: CompatibilityProfile, schemeReason: String?, metrics: ErrorMetricsRecord,
        nanCount: Int? = nil, infCount: Int? = nil, fixedPoint: FixedPointRecord? = nil,
        concurrent: ConcurrentCodeBlocks? = nil,
        codeBlocks: (_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws -> Void
    ) throws(PackageError) -> TensorRecord {
        guard parameters.shape == shape else {
            throw .invalidTensor(
                name: dataset, reason: "parameters are for shape \(parameters.shape), tensor has \(shape)")
        }
        let format = parameters.format
        let scalePath = dataset + Self.scaleSuffix
        let zeroPointPath = dataset + Self.zeroPointSuffix
        try claim([dataset, scalePath, zeroPointPath])

        let storage = AffineStorage(format: format)
        let storedShape: [Int]
        switch storage {
        case .packed(let bits):
            storedShape = [PackedCodes.byteCount(codes: shape.reduce(1, *), bits: bits)]
            try writeCodes(
                dataset, shape: storedShape, codes: shape.reduce(1, *), codesPerElement: 8 / bits, codeBlocks,
                concurrent: concurrent
            ) {
                (codes: UnsafeBufferPointer<Int32>, bytes: UnsafeMutableBufferPointer<UInt8>) throws(QuantizationError)
                in
                try PackedCodes.pack(codes, bits: bits, into: bytes)
            }
        case .int8:
            storedShape = shape
            try writeCodes(
                dataset, shape: shape, codeBlocks, concurrent: concurrent,
                convert: Self.truncating(_:into:) as Convert<Int8>)
        case .uint8:
            storedShape = shape
            try writeCodes(
                dataset, shape: shape, codeBlocks, concurrent: concurrent,
                convert: Self.truncating(_:into:) as Convert<UInt8>)
        case .int16:
            storedShape = shape
            try writeCodes(
                dataset, shape: shape, codeBlocks, concurrent: concurrent,
                convert: Self.truncating(_:into:) as Convert<Int16>)
        case .uint16:
            storedShape = shape
            try writeCodes(
                dataset, shape: shape, codeBlocks, concurrent: concurrent,
                convert: Self.truncating(_:into:) as Convert<UInt16>)
        }
        let layout = parameters.layout
        try writeDataset(scalePath, parameters.scales, shape: layout.parameterShape)
        try writeDataset(zeroPointPath, parameters.zeroPoints, shape: layout.parameterShape)

        let (granularity, axis, groupSize) = Self.describe(layout.granularity)
        var quantization = TensorQuantization(
            format: format.description, bits: format.bits, signed: format.isSigned, narrowRange: format.isNarrow,
            qmin: Int(format.qmin), qmax: Int(format.qmax), scheme: symmetry.rawValue, schemeReason: schemeReason,
            granularity: granularity, axis: axis, groupSize: groupSize, profile: profile.rawValue,
            rounding: Self.name(of: parameters.rounding), scaleDataset: scalePath, zeroPointDataset: zeroPointPath,
            parameterShape: layout.parameterShape)
        if let fixedPoint {
            quantization.format = "fixed"
            quantization.fractionBits = fixedPoint.fractionBits
            quantization.fractionDigits = fixedPoint.fractionDigits
        }
        let record = TensorRecord(
            dataset: dataset, role: role, originalShape: shape, originalDtype: originalDtype, encoding: .affine,
            storedDtype: storage.dtype.name, storedShape: storedShape, packedBits: storage.packedBits,
            quantization: quantization, metrics: metrics, nanCount: nanCount, infCount: infCount)
        try writeAttributes(record)
        return record
    }

    /// Quantizes `values` to minifloat codes with `quantizer` (a float32 scale per block) and stores the
    /// codes as uint8 (one per byte), the scales, and the format's decode table
    /// (`<path>.decode_table`, float32 [2^bits]: the value of every code), so that
    /// `x = decode_table[code] · scale` needs nothing but numpy.
    public mutating func writeMinifloat(
        dataset: String, role: String, values: [Float], shape: [Int], originalDtype: String,
        quantizer: FloatFormatQuantizer
    ) throws(PackageError) -> TensorRecord {
        let quantized: FloatFormatQuantizer.Quantized
        var reconstructed = [Float](repeating: 0, count: values.count)
        let layout: ParameterLayout
        do {
            layout = try quantizer.layout(for: shape)
            quantized = try values.withUnsafeBufferPointer { (x) throws(FloatFormatError) in
                try quantizer.quantize(x, shape: shape)
            }
            try reconstructed.withUnsafeMutableBufferPointer { (y) throws(FloatFormatError) in
                try quantizer.dequantize(quantized, into: y)
            }
        } catch {
            throw .invalidTensor(name: dataset, reason: "\(error)")
        }
        let metrics: ErrorMetricsRecord
        do { metrics = ErrorMetricsRecord(try ErrorMetrics(reference: values, reconstruction: reconstructed)) } catch {
            throw .quantization(name: dataset, error)
        }
        return try writeMinifloat(
            dataset: dataset, role: role, formatName: quantizer.format.presetName ?? quantizer.format.description,
            element: quantizer.format, codes: quantized.codes, scales: quantized.scales,
            granularity: layout.granularity,
            shape: shape, originalDtype: originalDtype, metrics: metrics, nanCount: Self.count(values, \.isNaN),
            infCount: Self.count(values, \.isInfinite),
            schemeReason: quantizer.scaleRule == .powerOfTwo ? "power-of-two (OCP MX) scales" : nil)
    }

    /// Stores a bias as int32 codes `q = round(x / s)` (half to even, saturating, NaN → 0) with zero-point
    /// 0: one scale per element along axis 0 (`s_input · s_weight[c]`) when `scales` has one per element,
    /// one scale for the tensor when it has one.
    public mutating func writeInt32(
        dataset: String, role: String, values: [Float], shape: [Int], originalDtype: String, scales: [Float],
        reason: String
    ) throws(PackageError) -> TensorRecord {
        let perChannel = try Self.int32Layout(dataset, count: values.count, shape: shape, scales: scales)
        let (codes, reconstructed, _) = Int32Bias.quantize(values, scales: perChannel ? scales : [scales[0]])
        let metrics: ErrorMetricsRecord
        do { metrics = ErrorMetricsRecord(try ErrorMetrics(reference: values, reconstruction: reconstructed)) } catch {
            throw .quantization(name: dataset, error)
        }
        return try writeInt32(
            dataset: dataset, role: role, codes: codes, shape: shape, originalDtype: originalDtype, scales: scales,
            reason: reason, metrics: metrics, nanCount: Self.count(values, \.isNaN),
            infCount: Self.count(values, \.isInfinite))
    }

    /// Stores int32 bias `codes` (zero-point 0; one scale per element of a 1-D tensor, or one for the
    /// tensor) recording `metrics`, the error of exactly these codes.
    public mutating func writeInt32(
        dataset: String, role: String, codes: [Int32], shape: [Int], originalDtype: String, scales: [Float],
        reason: String, metrics: ErrorMetricsRecord, nanCount: Int? = nil, infCount: Int? = nil
    ) throws(PackageError) -> TensorRecord {
        let count = shape.reduce(1, *)
        let perChannel = try Self.int32Layout(dataset, count: codes.count, shape: shape, scales: scales)
        let scalePath = dataset + Self.scaleSuffix
        let zeroPointPath = dataset + Self.zeroPointSuffix
        try claim([dataset, scalePath, zeroPointPath])
        let parameterShape = perChannel ? shape : []
        try writeDataset(dataset, codes, shape: shape)
        try writeDataset(scalePath, perChannel ? scales : [scales[0]], shape: parameterShape)
        try writeDataset(zeroPointPath, [Int32](repeating: 0, count: perChannel ? count : 1), shape: parameterShape)
        let quantization = TensorQuantization(
            format: "int32", bits: 32, signed: true, narrowRange: false, qmin: Int(Int32.min), qmax: Int(Int32.max),
            scheme: Symmetry.symmetric.rawValue, schemeReason: reason,
            granularity: perChannel ? "per-channel" : "per-tensor",
            axis: perChannel ? 0 : nil, groupSize: nil, profile: CompatibilityProfile.ptqkit.rawValue,
            rounding: "half-even",
            scaleDataset: scalePath, zeroPointDataset: zeroPointPath, parameterShape: parameterShape)
        let record = TensorRecord(
            dataset: dataset, role: role, originalShape: shape, originalDtype: originalDtype, encoding: .affine,
            storedDtype: NumericType.int32.name, storedShape: shape, quantization: quantization, metrics: metrics,
            nanCount: nanCount, infCount: infCount)
        try writeAttributes(record)
        return record
    }

    /// Whether an int32 bias of `shape` (with `count` values) has one scale per element (a 1-D tensor of
    /// more than one element with as many scales) rather than one for the tensor.
    /// - Throws: ``PackageError/invalidTensor(name:reason:)`` when the scales fit neither, or are not
    ///   finite and positive.
    private static func int32Layout(_ dataset: String, count: Int, shape: [Int], scales: [Float]) throws(PackageError)
        -> Bool
    {
        let elements = shape.reduce(1, *)
        let perChannel = shape.count == 1 && scales.count == elements && elements > 1
        guard count == elements, perChannel || scales.count == 1, scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .invalidTensor(
                name: dataset, reason: "\(scales.count) scales (finite, > 0) do not fit a bias of shape \(shape)")
        }
        return perChannel
    }

    /// Stores `values` unquantized as float32 (a tensor the configuration excludes).
    public mutating func writeFloat32(
        dataset: String, role: String, values: [Float], shape: [Int], originalDtype: String, note: String
    ) throws(PackageError) -> TensorRecord {
        guard values.count == shape.reduce(1, *) else {
            throw .invalidTensor(name: dataset, reason: "\(values.count) values for shape \(shape)")
        }
        try claim([dataset])
        try writeDataset(dataset, values, shape: shape)
        let record = TensorRecord(
            dataset: dataset, role: role, originalShape: shape, originalDtype: originalDtype, encoding: .float32,
            storedDtype: NumericType.float32.name, storedShape: shape, note: note)
        try writeAttributes(record)
        return record
    }

    /// Flushes and closes the file.
    public consuming func close() throws(PackageError) {
        do { try file.flush() } catch { throw .hdf5(error) }
    }

    /// The attributes of a stored tensor (and of its parameter datasets), from its record.
    func writeAttributes(_ record: TensorRecord) throws(PackageError) {
        do {
            let dataset = try file.openDataset(record.dataset)
            for (name, value) in record.storedAttributes { try dataset.setAttribute(name, value) }
            if let q = record.quantization {
                let scale = try file.openDataset(q.scaleDataset)
                try scale.setAttribute("ptq_role", .string("scale"))
                try scale.setAttribute("tensor", .string(record.dataset))
                for (path, role) in [
                    (q.zeroPointDataset, "zero_point"), (q.decodeTableDataset, "decode_table"),
                    (q.scaleDecodeTableDataset, "scale_decode_table"), (q.globalScaleDataset, "global_scale"),
                ] {
                    guard let path else { continue }
                    let parameter = try file.openDataset(path)
                    try parameter.setAttribute("ptq_role", .string(role))
                    try parameter.setAttribute("tensor", .string(record.dataset))
                }
            }
        } catch {
            throw .hdf5(error)
        }
    }

    /// Manifest spelling of a granularity: name, axis, group size.
    static func describe(_ granularity: Granularity) -> (String, Int?, Int?) {
        switch granularity {
        case .perTensor: ("per-tensor", nil, nil)
        case .perChannel(let axis): ("per-channel", axis, nil)
        case .perGroup(let axis, let size): ("per-group", axis, size)
        }
    }

    /// Manifest spelling of a rounding rule (as in configuration files).
    static func name(of rounding: RoundingRule) -> String {
        switch rounding {
        case .toNearestOrEven: "half-even"
        case .toNearestOrAwayFromZero: "half-away"
        }
    }
}
