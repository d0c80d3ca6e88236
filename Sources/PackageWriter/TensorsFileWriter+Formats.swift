import Calibrator
import HDF5
public import PackageFormat
public import QuantCore

/// The fixed-point exponent of a tensor stored as integer codes with scales E: `fraction_bits` n
/// (E = 2^−n, when every parameter shares it) or `fraction_digits` d (E = 10^−d).
public struct FixedPointRecord: Sendable, Hashable {
    /// n, when every parameter has E = 2^−n.
    public var fractionBits: Int?
    /// d for the seed's decimal exponent.
    public var fractionDigits: Int?

    /// Creates a record.
    public init(fractionBits: Int?, fractionDigits: Int?) {
        self.fractionBits = fractionBits
        self.fractionDigits = fractionDigits
    }
}

extension TensorsFileWriter {
    /// Suffix of a block-scaled tensor's scale-code decode table.
    public static let scaleDecodeTableSuffix = ".scale_decode_table"
    /// Suffix of an NVFP4 tensor's per-tensor scale.
    public static let globalScaleSuffix = ".global_scale"

    /// Stores minifloat `codes` (uint8, one per element, row-major `shape`) with a float32 scale per block of
    /// `granularity` and the format's decode table (`<path>.decode_table`), recording `metrics`.
    ///
    /// - Parameters:
    ///   - dataset: absolute path of the tensor.
    ///   - role: its role in the layer.
    ///   - formatName: the manifest's `format` (`fp8_e4m3fn`, ...).
    ///   - element: the minifloat format of the codes.
    ///   - codes: one code per element.
    ///   - scales: one float32 scale per block, row-major over the parameter shape.
    ///   - granularity: which elements share a scale.
    ///   - shape: the tensor's shape.
    ///   - originalDtype: element type name of the source dataset.
    ///   - metrics: the error of exactly these codes.
    ///   - nanCount: NaN elements of the original, recorded when not `nil`.
    ///   - infCount: ±Inf elements of the original, recorded when not `nil`.
    ///   - schemeReason: why the scales are what they are, when worth saying.
    /// - Returns: the tensor's manifest record.
    /// - Throws: ``PackageError`` naming the dataset.
    public mutating func writeMinifloat(
        dataset: String, role: String, formatName: String, element: FloatFormat, codes: [UInt8], scales: [Float],
        granularity: Granularity, shape: [Int], originalDtype: String, metrics: ErrorMetricsRecord,
        nanCount: Int? = nil, infCount: Int? = nil, schemeReason: String? = nil
    ) throws(PackageError) -> TensorRecord {
        let layout = try Self.layout(granularity, shape: shape, dataset: dataset)
        guard codes.count == layout.count, scales.count == layout.parameterCount else {
            throw .invalidTensor(name: dataset, reason: "\(codes.count) codes, \(scales.count) scales for \(shape)")
        }
        let scalePath = dataset + Self.scaleSuffix
        let tablePath = dataset + Self.decodeTableSuffix
        try claim([dataset, scalePath, tablePath])
        try writeDataset(dataset, codes, shape: shape)
        try writeDataset(scalePath, scales, shape: layout.parameterShape)
        try writeDataset(tablePath, Self.decodeTable(element), shape: [element.codeCount])
        var quantization = Self.floatCodes(
            formatName, element: element, layout: layout, scalePath: scalePath, tablePath: tablePath)
        quantization.schemeReason = schemeReason
        return try record(
            dataset, role: role, encoding: .minifloat, shape: shape, originalDtype: originalDtype,
            quantization: quantization,
            metrics: metrics, nanCount: nanCount, infCount: infCount)
    }

    /// The quantization description of float codes (uint8, one per element) of `element` with `layout`'s scales.
    static func floatCodes(
        _ formatName: String, element: FloatFormat, layout: ParameterLayout, scalePath: String, tablePath: String
    ) -> TensorQuantization {
        let (name, axis, groupSize) = describe(layout.granularity)
        return TensorQuantization(
            format: formatName, bits: element.bitWidth, signed: true, narrowRange: false, qmin: 0,
            qmax: element.codeCount - 1, scheme: Symmetry.symmetric.rawValue, granularity: name, axis: axis,
            groupSize: groupSize, profile: CompatibilityProfile.ptqkit.rawValue, rounding: "half-even",
            scaleDataset: scalePath, zeroPointDataset: nil, parameterShape: layout.parameterShape,
            decodeTableDataset: tablePath)
    }

    /// The record of float codes stored as uint8 in the tensor's shape; writes its attributes.
    func record(
        _ dataset: String, role: String, encoding: TensorEncoding, shape: [Int], originalDtype: String,
        quantization: TensorQuantization, metrics: ErrorMetricsRecord, nanCount: Int?, infCount: Int?
    ) throws(PackageError) -> TensorRecord {
        let record = TensorRecord(
            dataset: dataset, role: role, originalShape: shape, originalDtype: originalDtype, encoding: encoding,
            storedDtype: NumericType.uint8.name, storedShape: shape, quantization: quantization, metrics: metrics,
            nanCount: nanCount, infCount: infCount)
        try writeAttributes(record)
        return record
    }

    /// Stores an MX or NVFP4 tensor: element codes (uint8, one per element), one uint8 scale code per block
    /// (`<path>.scale`: E8M0 for MX, E4M3FN for NVFP4), the decode tables of both
    /// (`<path>.decode_table`, `<path>.scale_decode_table`) and NVFP4's float32 tensor scale
    /// (`<path>.global_scale`), recording `metrics`.
    ///
    /// - Parameters:
    ///   - dataset: absolute path of the tensor.
    ///   - role: its role in the layer.
    ///   - formatName: the manifest's `format` (`mxfp4`, `nvfp4`, ...).
    ///   - quantizer: the quantizer the codes came from (formats, block size, axis).
    ///   - quantized: the codes.
    ///   - originalDtype: element type name of the source dataset.
    ///   - metrics: the error of exactly these codes.
    ///   - nanCount: NaN elements of the original, recorded when not `nil`.
    ///   - infCount: ±Inf elements of the original, recorded when not `nil`.
    /// - Returns: the tensor's manifest record.
    /// - Throws: ``PackageError`` naming the dataset.
    public mutating func writeBlockScaled(
        dataset: String, role: String, formatName: String, quantizer: BlockScaledQuantizer,
        quantized: BlockScaledQuantizer.Quantized, originalDtype: String, metrics: ErrorMetricsRecord,
        nanCount: Int? = nil, infCount: Int? = nil
    ) throws(PackageError) -> TensorRecord {
        let shape = quantized.shape
        let granularity = Granularity.perGroup(axis: quantizer.axis, size: quantizer.blockSize)
        let layout = try Self.layout(granularity, shape: shape, dataset: dataset)
        guard quantized.codes.count == layout.count, quantized.scaleCodes.count == layout.parameterCount else {
            throw .invalidTensor(
                name: dataset,
                reason: "\(quantized.codes.count) codes, \(quantized.scaleCodes.count) scale codes for \(shape)")
        }
        let element = quantizer.elements.format
        let scalePath = dataset + Self.scaleSuffix
        let tablePath = dataset + Self.decodeTableSuffix
        let scaleTablePath = dataset + Self.scaleDecodeTableSuffix
        let globalPath = quantized.globalScale.map { _ in dataset + Self.globalScaleSuffix }
        try claim([dataset, scalePath, tablePath, scaleTablePath] + (globalPath.map { [$0] } ?? []))
        try writeDataset(dataset, quantized.codes, shape: shape)
        try writeDataset(scalePath, quantized.scaleCodes, shape: layout.parameterShape)
        try writeDataset(tablePath, Self.decodeTable(element), shape: [element.codeCount])
        try writeDataset(scaleTablePath, (0...255).map { quantizer.scaleValue(ofCode: UInt8($0)) }, shape: [256])
        if let globalPath, let g = quantized.globalScale { try writeDataset(globalPath, [g], shape: []) }
        var quantization = Self.floatCodes(
            formatName, element: element, layout: layout, scalePath: scalePath, tablePath: tablePath)
        quantization.scaleFormat = quantizer.scaleFormat?.presetName ?? "e8m0"
        quantization.elementFormat = Self.elementName(element)
        quantization.scaleDecodeTableDataset = scaleTablePath
        quantization.globalScaleDataset = globalPath
        return try record(
            dataset, role: role, encoding: .blockScaled, shape: shape, originalDtype: originalDtype,
            quantization: quantization,
            metrics: metrics, nanCount: nanCount, infCount: infCount)
    }

    /// The value of every code of `format` (its decode table, 2^bits float32 values).
    static func decodeTable(_ format: FloatFormat) -> [Float] {
        (0..<format.codeCount).map { format.decode(UInt32($0)) }
    }

    /// The configuration's name of a minifloat element format (`fp4_e2m1fn`, `fp8_e4m3fn`, ...).
    static func elementName(_ format: FloatFormat) -> String {
        switch format {
        case .fp6E2M3: "fp6_e2m3fn"
        case .fp6E3M2: "fp6_e3m2fn"
        case .fp4E2M1: "fp4_e2m1fn"
        default: format.presetName ?? format.description
        }
    }

    /// The layout of `granularity` over `shape`, as a package error naming `dataset`.
    static func layout(_ granularity: Granularity, shape: [Int], dataset: String) throws(PackageError)
        -> ParameterLayout
    {
        do { return try granularity.layout(shape: shape) } catch { throw .quantization(name: dataset, error) }
    }
}

extension TensorsFileWriter {
    /// Stores a calibrated tensor in a number format other than `int` (fixed point, minifloat, MX, NVFP4).
    /// - Throws: ``PackageError`` naming the dataset; ``PackageError/invalidTensor(name:reason:)`` for other content.
    mutating func writeFormatted(_ tensor: CalibratedTensor) throws(PackageError) -> TensorRecord {
        switch tensor.content {
        case .fixedPoint(let codes, let parameters, let bits, let digits, let metrics):
            return try writeAffine(
                dataset: tensor.dataset, role: tensor.role, codes: codes, shape: tensor.shape,
                originalDtype: tensor.elementType, parameters: parameters, symmetry: .symmetric, profile: .ptqkit,
                schemeReason: nil, metrics: ErrorMetricsRecord(metrics), nanCount: tensor.nanCount,
                infCount: tensor.infCount, fixedPoint: FixedPointRecord(fractionBits: bits, fractionDigits: digits))
        case .minifloat(let format, let codes, let scales, let granularity, let metrics):
            guard let element = format.elementFormat else { break }
            return try writeMinifloat(
                dataset: tensor.dataset, role: tensor.role, formatName: format.rawValue, element: element, codes: codes,
                scales: scales, granularity: granularity, shape: tensor.shape, originalDtype: tensor.elementType,
                metrics: ErrorMetricsRecord(metrics), nanCount: tensor.nanCount, infCount: tensor.infCount)
        case .blockScaled(let format, let quantized, let axis, let metrics):
            guard let scheme = format.blockScheme else { break }
            let quantizer: BlockScaledQuantizer
            do { quantizer = try BlockScaledQuantizer(scheme: scheme, axis: axis) } catch {
                throw .invalidTensor(name: tensor.dataset, reason: "\(error)")
            }
            return try writeBlockScaled(
                dataset: tensor.dataset, role: tensor.role, formatName: format.rawValue, quantizer: quantizer,
                quantized: quantized, originalDtype: tensor.elementType, metrics: ErrorMetricsRecord(metrics),
                nanCount: tensor.nanCount, infCount: tensor.infCount)
        case .affine, .streamedAffine, .int32, .float32:
            break
        }
        throw .invalidTensor(name: tensor.dataset, reason: "not a fixed-point, minifloat or block-scaled tensor")
    }
}
