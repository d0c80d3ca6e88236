public import Foundation
import HDF5
public import QuantCore

/// An open model package: its manifest and its `tensors.h5`, with the stored codes, parameters and
/// dequantized values of every tensor.
///
/// ```swift
/// let package = try PackageReader(path: "out/pkg")
/// for record in package.manifest.tensors {
///     let restored = try package.dequantized(record)   // float32, original shape, row-major
/// }
/// ```
public struct PackageReader: ~Copyable {
    /// The package directory.
    public let path: String
    /// The bytes of `manifest.json` as stored.
    public let manifestData: Data
    /// The decoded manifest.
    public let manifest: Manifest
    /// The open `tensors.h5`.
    let tensors: File

    /// Opens the package directory at `path`.
    /// - Throws: ``PackageError/cannotRead(path:reason:)`` if `path` does not exist,
    ///   ``PackageError/notAPackage(path:)`` without a manifest, ``PackageError/invalidManifest(path:reason:)``,
    ///   ``PackageError/unsupportedFormatVersion(path:found:supported:)``, or ``PackageError/hdf5(_:)``.
    public init(path: String) throws(PackageError) {
        let manifestPath = "\(path)/\(Manifest.fileName)"
        guard FileManager.default.fileExists(atPath: path) else {
            throw .cannotRead(path: path, reason: "no such directory")
        }
        guard FileManager.default.fileExists(atPath: manifestPath) else { throw .notAPackage(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: manifestPath)) } catch {
            throw .cannotRead(path: manifestPath, reason: "\(error)")
        }
        let manifest = try Manifest.decode(data, path: manifestPath)
        let file: File
        do { file = try File("\(path)/\(manifest.tensorsFile)") } catch { throw .hdf5(error) }
        self.path = path
        manifestData = data
        self.manifest = manifest
        tensors = file
    }

    /// Path of `tensors.h5`.
    public var tensorsPath: String { "\(path)/\(manifest.tensorsFile)" }

    /// The integer codes of an affine tensor (unpacked, row-major, original element count).
    public func codes(of record: TensorRecord) throws(PackageError) -> [Int32] {
        guard record.encoding == .affine, let q = record.quantization else {
            throw inconsistent(record, "is not stored as integer codes")
        }
        let dataset = try open(record.dataset, expectedShape: record.storedShape)
        return try reading(record) {
            if let bits = record.packedBits {
                let bytes = try dataset.read(as: UInt8.self)
                return try PackedCodes.unpack(
                    bytes, bits: bits, signed: q.signed, count: record.elementCount, as: Int32.self)
            }
            // The wrapper converts any stored integer type to the memory type; Int32 holds every code.
            return try dataset.read(as: Int32.self)
        }
    }

    /// The stored per-feature moments of a layer's input (Σx and Σx², float64, `record.features` each).
    /// - Throws: ``PackageError/inconsistentTensor(file:name:reason:)`` for a missing or misshapen dataset.
    public func inputMoments(_ record: InputMomentsRecord) throws(PackageError) -> (
        sum: [Double], sumOfSquares: [Double]
    ) {
        let sum = try open(record.sumDataset, expectedShape: [record.features])
        let squares = try open(record.sumOfSquaresDataset, expectedShape: [record.features])
        do { return (try sum.read(as: Double.self), try squares.read(as: Double.self)) } catch { throw .hdf5(error) }
    }

    /// The float32 values of a tensor stored unquantized.
    public func float32Values(of record: TensorRecord) throws(PackageError) -> [Float] {
        let dataset = try open(record.dataset, expectedShape: record.storedShape)
        do { return try dataset.read(as: Float.self) } catch { throw .hdf5(error) }
    }

    /// The scales and zero-points of an affine tensor with the layout that says which elements use
    /// which (any bit width, including the int32 of quantized biases).
    public func storedParameters(of record: TensorRecord) throws(PackageError) -> (
        layout: ParameterLayout, scales: [Float], zeroPoints: [Int32]
    ) {
        guard record.encoding == .affine, let q = record.quantization, let zeroPointPath = q.zeroPointDataset else {
            throw inconsistent(record, "has no integer quantization parameters")
        }
        let (layout, scales) = try layoutAndScales(of: record)
        return try reading(record) {
            let zeroPoints = try open(zeroPointPath, expectedShape: q.parameterShape).read(as: Int32.self)
            return (layout, scales, zeroPoints)
        }
    }

    /// The parameter layout of a quantized tensor (from its granularity and shape) and its scales.
    public func layoutAndScales(of record: TensorRecord) throws(PackageError) -> (
        layout: ParameterLayout, scales: [Float]
    ) {
        guard let q = record.quantization else { throw inconsistent(record, "has no quantization parameters") }
        let granularity: Granularity
        switch (q.granularity, q.axis, q.groupSize) {
        case ("per-tensor", _, _): granularity = .perTensor
        case ("per-channel", let axis?, _): granularity = .perChannel(axis: axis)
        case ("per-group", let axis?, let size?): granularity = .perGroup(axis: axis, size: size)
        default: throw inconsistent(record, "granularity '\(q.granularity)' lacks its axis or group size")
        }
        let layout: ParameterLayout
        do { layout = try granularity.layout(shape: record.originalShape) } catch {
            throw .quantization(name: record.dataset, error)
        }
        guard layout.parameterShape == q.parameterShape else {
            throw inconsistent(record, "parameter shape \(q.parameterShape) does not fit \(q.granularity)")
        }
        return try reading(record) {
            return (layout, try open(q.scaleDataset, expectedShape: q.parameterShape).read(as: Float.self))
        }
    }

    /// The codes of a minifloat tensor and the value of every code (its decode table).
    public func minifloatCodes(of record: TensorRecord) throws(PackageError) -> (codes: [UInt8], table: [Float]) {
        guard record.encoding == .minifloat || record.encoding == .blockScaled, let q = record.quantization,
            let tablePath = q.decodeTableDataset
        else {
            throw inconsistent(record, "is not stored as minifloat codes")
        }
        return try reading(record) {
            let codes = try open(record.dataset, expectedShape: record.storedShape).read(as: UInt8.self)
            let table = try open(tablePath, expectedShape: [q.qmax + 1]).read(as: Float.self)
            return (codes, table)
        }
    }

    /// The scale codes of a block-scaled tensor (row-major over the parameter shape), the value of every
    /// scale code (its decode table, 256 entries) and the per-tensor scale (1 without its dataset).
    public func blockScaleCodes(of record: TensorRecord) throws(PackageError) -> (
        codes: [UInt8], table: [Float], globalScale: Float
    ) {
        guard record.encoding == .blockScaled, let q = record.quantization, let tablePath = q.scaleDecodeTableDataset
        else {
            throw inconsistent(record, "is not stored as block-scaled codes")
        }
        return try reading(record) {
            let codes = try open(q.scaleDataset, expectedShape: q.parameterShape).read(as: UInt8.self)
            let table = try open(tablePath, expectedShape: [256]).read(as: Float.self)
            let global = try q.globalScaleDataset.map { try open($0, expectedShape: []).read(as: Float.self) }
            return (codes, table, global?.first ?? 1)
        }
    }

    /// The layout of a block-scaled tensor and the float32 scale of each block,
    /// `scale_decode_table[code] · global_scale`.
    public func blockScales(of record: TensorRecord) throws(PackageError) -> (layout: ParameterLayout, scales: [Float])
    {
        guard let q = record.quantization, case (let axis?, let size?) = (q.axis, q.groupSize) else {
            throw inconsistent(record, "block-scaled tensor without its axis and block size")
        }
        let layout: ParameterLayout
        do { layout = try Granularity.perGroup(axis: axis, size: size).layout(shape: record.originalShape) } catch {
            throw .quantization(name: record.dataset, error)
        }
        let (codes, table, global) = try blockScaleCodes(of: record)
        guard codes.count == layout.parameterCount else {
            throw inconsistent(record, "\(codes.count) scale codes for \(layout.parameterCount) blocks")
        }
        return (layout, codes.map { table[Int($0)] * global })
    }

    /// The quantization parameters of an affine tensor of 2…16 bits, as QuantCore applies them.
    public func parameters(of record: TensorRecord) throws(PackageError) -> QuantizationParameters {
        let (layout, scales, zeroPoints) = try storedParameters(of: record)
        guard let q = record.quantization else { throw inconsistent(record, "has no quantization parameters") }
        return try reading(record) {
            let format = try IntegerFormat(bits: q.bits, signed: q.signed, narrow: q.narrowRange)
            guard Int(format.qmin) == q.qmin, Int(format.qmax) == q.qmax else {
                throw inconsistent(record, "code range \(q.qmin)...\(q.qmax) disagrees with \(format)")
            }
            let rounding: RoundingRule = q.rounding == "half-away" ? .toNearestOrAwayFromZero : .toNearestOrEven
            return try QuantizationParameters(
                format: format, rounding: rounding, layout: layout, scales: scales, zeroPoints: zeroPoints)
        }
    }

    /// The tensor as float32 in its original shape: `scale · (q − zero_point)` for affine tensors (divided by s
    /// along the input axis for a weight that records an input scale, AWQ: ``inputScales(of:)``), the stored
    /// values for float32 ones.
    public func dequantized(_ record: TensorRecord) throws(PackageError) -> [Float] {
        switch record.encoding {
        case .float32:
            return try float32Values(of: record)
        case .affine:
            let codes = try codes(of: record)
            if let bits = record.quantization?.bits, bits > 16 {
                // int32 codes (quantized biases): x = scale · Float(q − zero_point), element by element.
                let (layout, scales, zeroPoints) = try storedParameters(of: record)
                guard codes.count == layout.count else {
                    throw inconsistent(record, "\(codes.count) codes for \(layout.count) elements")
                }
                return codes.indices.map { i in
                    let k = layout.parameterIndex(ofElement: i)
                    return scales[k] * Float(Int64(codes[i]) - Int64(zeroPoints[k]))
                }
            }
            if let digits = record.quantization?.fractionDigits {
                // Decimal fixed point: x = Float(q / 10^fraction_digits), the value nearest ±(I + m·E).
                return codes.map { FixedPointFormat.decimalValue(units: $0, digits: digits) }
            }
            let parameters = try parameters(of: record)
            let values: [Float]
            do { values = try parameters.dequantize(codes) } catch { throw .quantization(name: record.dataset, error) }
            // AWQ: the codes quantize W·diag(s); Ŵ = deq(q)·diag(s)⁻¹ along the input axis.
            guard let (axis, scales) = try inputScales(of: record) else { return values }
            return Self.dividing(values, by: scales, axis: axis, shape: record.originalShape)
        case .minifloat, .blockScaled:
            // x = decode_table[code] · scale of the code's block; block-scaled tensors' block scale is
            // scale_decode_table[scale code] · global_scale.
            let (codes, table) = try minifloatCodes(of: record)
            let (layout, scales) =
                record.encoding == .minifloat ? try layoutAndScales(of: record) : try blockScales(of: record)
            guard codes.count == layout.count, codes.allSatisfy({ Int($0) < table.count }) else {
                throw inconsistent(record, "codes do not fit the shape or the decode table")
            }
            return codes.indices.map { i in table[Int(codes[i])] * scales[layout.parameterIndex(ofElement: i)] }
        }
    }

    /// Runs `body`, mapping its errors to ``PackageError``s about `record`.
    func reading<T>(_ record: TensorRecord, _ body: () throws -> T) throws(PackageError) -> T {
        do {
            return try body()
        } catch let error as PackageError {
            throw error
        } catch let error as HDF5Error {
            throw .hdf5(error)
        } catch let error as QuantizationError {
            throw .quantization(name: record.dataset, error)
        } catch {
            throw inconsistent(record, "\(error)")
        }
    }

    /// Opens a dataset of `tensors.h5`, checking its shape.
    func open(_ name: String, expectedShape: [Int]) throws(PackageError) -> Dataset {
        let dataset: Dataset
        do { dataset = try tensors.openDataset(name) } catch {
            throw .inconsistentTensor(file: tensorsPath, name: name, reason: error.kind.summary)
        }
        guard dataset.shape == expectedShape else {
            throw .inconsistentTensor(
                file: tensorsPath, name: name, reason: "stored shape \(dataset.shape), manifest says \(expectedShape)")
        }
        return dataset
    }

    /// An ``PackageError/inconsistentTensor(file:name:reason:)`` for `record`.
    func inconsistent(_ record: TensorRecord, _ reason: String) -> PackageError {
        .inconsistentTensor(file: tensorsPath, name: record.dataset, reason: reason)
    }
}
