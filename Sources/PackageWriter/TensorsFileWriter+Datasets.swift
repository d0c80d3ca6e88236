import Foundation
import HDF5
import PackageFormat
import QuantCore
import TensorIO

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
    /// 1 MiB of rows) unless scalar or empty, or `compressed` is false (then contiguous, its storage
    /// allocated at creation and never filled, ``DatasetOptions/allocatesEarly``, so that it can be written
    /// through a ``DirectWriter`` and holds the same bytes whichever way it is written).
    private func createDataset<T: HDF5Element>(
        _ path: String, type: T.Type, shape: [Int], compressed: Bool = true
    ) throws(HDF5Error) -> Dataset {
        let count = shape.reduce(1, *)
        let options =
            !compressed
            ? count > 0 ? .allocatedEarly : DatasetOptions()
            : shape.isEmpty || count == 0 ? DatasetOptions() : DatasetOptions(deflateLevel: 4)
        return try file.createDataset(path, type: T.hdf5Type, shape: shape, options: options)
    }

    /// How a block of codes becomes stored elements: `codes` into all of `stored` (as many elements as
    /// ``StoredCodes/elements(forCodes:)`` gives for `codes.count`).
    typealias Convert<T> =
        @Sendable (UnsafeBufferPointer<Int32>, UnsafeMutableBufferPointer<T>) throws(QuantizationError) -> Void

    /// Each code truncated to `T` (the codes fit by construction of the format).
    static func truncating<T: FixedWidthInteger>(
        _ codes: UnsafeBufferPointer<Int32>, into stored: UnsafeMutableBufferPointer<T>
    ) {
        for i in 0..<codes.count { stored[i] = T(truncatingIfNeeded: codes[i]) }
    }

    /// Creates the dataset `path` of `shape`, contiguous and uncompressed, and writes the codes given
    /// (`codeCount` of them; by default as many as `shape` has elements), each block converted by `convert`
    /// into `codesPerElement` codes per stored element (1, or 8 / bits when packed), as they come: from `concurrent`'s threads straight into the dataset's storage
    /// (``DirectWriter``) when it has more than one worker and the dataset qualifies, else from
    /// `codeBlocks` on this thread through libhdf5 (``StreamingDatasetWriter``). The dataset is created the
    /// same way for both, so the file is the same byte for byte.
    ///
    /// Integer codes are not deflated: on int8 codes of weights deflate saves about 8 % of their bytes at
    /// about 45 MB/s of one core's time, the slowest step of calibrating a large weights file by far (see
    /// `docs/performance.md`, *Whole jobs*). Scales, zero points, biases and float32 tensors stay deflated.
    func writeCodes<T: HDF5Element & FixedWidthInteger>(
        _ path: String, shape: [Int], codes codeCount: Int? = nil, codesPerElement: Int = 1,
        _ codeBlocks: (_ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws -> Void,
        concurrent: ConcurrentCodeBlocks? = nil, convert: @escaping Convert<T>
    ) throws(PackageError) {
        let stored = StoredCodes(codesPerElement: codesPerElement)
        do {
            let dataset = try createDataset(path, type: T.self, shape: shape, compressed: false)
            if let concurrent, concurrent.workers > 1,
                try Self.writeConcurrently(
                    path, dataset, codes: codeCount ?? shape.reduce(1, *), stored: stored, concurrent, convert: convert)
            {
                // Written directly.
            } else {
                var writer = StreamingDatasetWriter<T>(consume dataset)
                var buffer: [T] = []
                try codeBlocks { codes in
                    let count = stored.elements(forCodes: codes.count)
                    if buffer.count != count { buffer = [T](repeating: 0, count: count) }
                    try buffer.withUnsafeMutableBufferPointer { (out) throws(QuantizationError) in
                        try convert(codes, out)
                    }
                    try buffer.withUnsafeBufferPointer { try writer.append($0) }
                }
                try writer.finish()
            }
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

    /// The concurrent half of ``writeCodes(_:shape:codes:codesPerElement:_:concurrent:convert:)``: every worker
    /// converts its blocks into its own buffer and writes them at their place in `dataset`'s storage
    /// (``DirectWriter``, used only during this call, while `dataset` is borrowed and so open). Checks that
    /// each block starts on a stored element (a multiple of 4 codes, so packed bytes never straddle two
    /// blocks) and that the blocks cover the tensor's `elements` codes exactly.
    ///
    /// - Returns: `false`, having written nothing, when `dataset` offers no ``DirectWriter`` (then the
    ///   caller writes it through libhdf5); `true` once it is written. After `true` the dataset is never
    ///   written or read through libhdf5 while the file stays open (``DirectWriter``'s invariants).
    private static func writeConcurrently<T: HDF5Element & FixedWidthInteger>(
        _ path: String, _ dataset: borrowing Dataset, codes elements: Int, stored: StoredCodes,
        _ concurrent: ConcurrentCodeBlocks, convert: @escaping Convert<T>
    ) throws -> Bool {
        guard let direct = try dataset.directWriter(),
            stored.elements(forCodes: elements) == dataset.shape.reduce(1, *)
        else { return false }
        let buffers = ThreadBuffers<T>(
            count: concurrent.workers, capacity: stored.elements(forCodes: concurrent.maxBlockCodes))
        let written = CodeCount()
        try concurrent.produce { worker, firstCode, codes in
            guard firstCode % 4 == 0, firstCode >= 0, firstCode + codes.count <= elements,
                worker >= 0, worker < buffers.buffers.count
            else {
                throw PackageError.invalidTensor(
                    name: path,
                    reason: "a block of \(codes.count) codes from code \(firstCode) does not fit \(elements) codes"
                        + " in blocks of a multiple of 4")
            }
            let count = stored.elements(forCodes: codes.count)
            let out = UnsafeMutableBufferPointer(rebasing: buffers.buffers[worker][0..<count])
            try convert(codes, out)
            try direct.write(
                UnsafeRawBufferPointer(out),
                at: firstCode / stored.codesPerElement * MemoryLayout<T>.stride)
            written.add(codes.count)
        }
        guard written.total == elements else {
            throw PackageError.invalidTensor(name: path, reason: "\(written.total) codes for \(elements)")
        }
        return true
    }
}

/// Codes produced block by block on several threads at once (``StreamedCodes``' concurrent blocks), which
/// ``TensorsFileWriter`` writes straight into a dataset's storage in parallel.
public struct ConcurrentCodeBlocks: Sendable {
    /// The threads producing blocks.
    public var workers: Int
    /// The most codes one block holds.
    public var maxBlockCodes: Int
    /// Calls its argument with every block, on up to ``workers`` threads at once: the worker's index
    /// (`0..<workers`), the index of the block's first code (a multiple of 4) and the block's codes. Throws
    /// the first failure (its own or its argument's) after every thread stopped.
    public var produce:
        @Sendable (_ body: @escaping @Sendable (Int, Int, UnsafeBufferPointer<Int32>) throws -> Void) throws -> Void

    /// Blocks from `produce` on `workers` threads, each at most `maxBlockCodes` codes.
    public init(
        workers: Int, maxBlockCodes: Int,
        produce:
            @escaping @Sendable (_ body: @escaping @Sendable (Int, Int, UnsafeBufferPointer<Int32>) throws -> Void)
            throws -> Void
    ) {
        self.workers = workers
        self.maxBlockCodes = maxBlockCodes
        self.produce = produce
    }
}

/// How many codes one stored element holds (1, or 8 / bits for packed codes).
struct StoredCodes {
    var codesPerElement: Int

    /// Stored elements for `codes` codes (the last one partly filled when packed).
    func elements(forCodes codes: Int) -> Int { (codes + codesPerElement - 1) / codesPerElement }
}

/// Codes written so far by a concurrent write, added from every worker.
///
/// `@unchecked Sendable`: `count` is read and written only while holding `lock`.
private final class CodeCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ codes: Int) {
        lock.lock()
        count += codes
        lock.unlock()
    }

    var total: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
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
