import HDF5
import PackageFormat
import QuantCore

extension TensorsFileWriter {
    // The datasets of `tensors.h5`: names claimed once, deflate-compressed creation, and codes written block
    // by block in their stored integer type.

    /// Records `paths` as used, refusing duplicates and paths that are not absolute.
    mutating func claim(_ paths: [String]) throws(PackageError) {
        for path in paths {
            guard path.hasPrefix("/"), !path.hasSuffix("/"), !path.contains("//") else {
                throw .invalidTensor(name: path, reason: "dataset paths must be absolute HDF5 paths")
            }
            guard written.insert(path).inserted else {
                throw .invalidTensor(name: path, reason: "a dataset of that path is already in the package")
            }
        }
    }

    /// Creates a dataset of `shape` (deflate-compressed unless scalar or empty) and writes `values`.
    func writeDataset<T: HDF5Element>(_ path: String, _ values: [T], shape: [Int]) throws(PackageError) {
        let count = shape.reduce(1, *)
        do {
            let dataset = try createDataset(path, type: T.self, shape: shape)
            if count > 0 { try dataset.write(values) }
        } catch {
            throw .hdf5(error)
        }
        MidWritePause.point("tensors.h5")
    }

    /// Creates a dataset of `shape` for elements of `T`: deflate-compressed (level 4, chunks of about
    /// 1 MiB of rows) unless scalar or empty, or `compressed` is false (then contiguous).
    private func createDataset<T: HDF5Element>(
        _ path: String, type: T.Type, shape: [Int], compressed: Bool = true
    ) throws(HDF5Error) -> Dataset {
        let count = shape.reduce(1, *)
        let options =
            shape.isEmpty || count == 0 || !compressed ? DatasetOptions() : DatasetOptions(deflateLevel: 4)
        return try file.createDataset(path, type: T.hdf5Type, shape: shape, options: options)
    }

    /// How a block of codes becomes stored elements.
    typealias Convert<T> = (UnsafeBufferPointer<Int32>, inout [T]) throws(QuantizationError) -> Void

    /// Each code truncated to `T` (the codes fit by construction of the format).
    static func truncating<T: FixedWidthInteger>(_ codes: UnsafeBufferPointer<Int32>, into stored: inout [T]) {
        if stored.count != codes.count { stored = [T](repeating: 0, count: codes.count) }
        stored.withUnsafeMutableBufferPointer { out in
            for i in 0..<codes.count { out[i] = T(truncatingIfNeeded: codes[i]) }
        }
    }

    /// Creates the dataset `path` of `shape`, contiguous and uncompressed, and writes the codes `codeBlocks`
    /// gives, each block converted by `convert`, as they come.
    ///
    /// Integer codes are not deflated: on int8 codes of weights deflate saves about 8 % of their bytes at
    /// about 45 MB/s of one core's time, the slowest step of calibrating a large weights file by far (see
    /// `docs/performance.md`, *Whole jobs*). Scales, zero points, biases and float32 tensors stay deflated.
    func writeCodes<T: HDF5Element>(
        _ path: String, shape: [Int],
        _ codeBlocks: (_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws -> Void,
        convert: @escaping Convert<T>
    ) throws(PackageError) {
        do {
            var writer = StreamingDatasetWriter<T>(
                try createDataset(path, type: T.self, shape: shape, compressed: false))
            var stored: [T] = []
            try codeBlocks { codes in
                try convert(codes, &stored)
                try stored.withUnsafeBufferPointer { try writer.append($0) }
            }
            try writer.finish()
        } catch let error as HDF5Error {
            throw .hdf5(error)
        } catch let error as PackageError {
            throw error
        } catch let error as QuantizationError {
            throw .quantization(name: path, error)
        } catch {
            throw .invalidTensor(name: path, reason: "\(error)")
        }
        MidWritePause.point("tensors.h5")
    }
}

/// The HDF5 representation of an integer format's codes.
enum AffineStorage: Equatable {
    case int8, uint8, int16, uint16
    /// 4- or 2-bit codes packed into uint8.
    case packed(bits: Int)

    /// The storage for `format`: packed for 4 and 2 bits, else the narrowest integer type.
    init(format: IntegerFormat) {
        switch (format.bits, format.isSigned) {
        case (4, _), (2, _): self = .packed(bits: format.bits)
        case (...8, true): self = .int8
        case (...8, false): self = .uint8
        case (_, true): self = .int16
        case (_, false): self = .uint16
        }
    }

    /// The HDF5 element type of the stored dataset.
    var dtype: NumericType {
        switch self {
        case .int8: .int8
        case .uint8, .packed: .uint8
        case .int16: .int16
        case .uint16: .uint16
        }
    }

    /// Bits per packed code, `nil` when codes are not packed.
    var packedBits: Int? {
        if case .packed(let bits) = self { bits } else { nil }
    }
}
