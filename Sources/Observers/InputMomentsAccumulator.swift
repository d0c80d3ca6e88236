internal import CMomentKernels

/// Collects the ``InputMoments`` of one layer's input, block by block, with a result that does not depend
/// on threads, batch sizes or shards: the saved, mergeable state of a `.ptqstats` file.
///
/// The caller feeds **blocks**: fixed runs of feature vectors whose boundaries depend only on the data
/// (the calibrator cuts each dataset into blocks of whole rows aligned to the rows' index in their file,
/// see `InputMomentsBlocks`), never on how rows were batched or shared out. Within a block every sum is a
/// Float64 sum in vector order (the products x_i·x_j of Float32 values are exact in Float64, so each block
/// partial is a fixed function of the block); each finished block partial is then added to a
/// ``ReproducibleSums``, whose result depends only on the set of partials added. Merging two accumulators
/// adds their sums the same way, so any split of the blocks between workers and shards, merged in any
/// order, gives the same state bit for bit. max |x| and the counts are exact.
///
/// A vector with a NaN or ±Inf element is left out entirely (counted in ``skippedVectors``), so every
/// moment covers the same vectors.
///
/// Memory: 28 bytes per sum (an Int32 window index and three Int64 limbs): 3·d sums and d Float32 maxima
/// for the per-feature moments, d(d+1)/2 sums for the Gram matrix's upper triangle (about 14·d² bytes,
/// ``stateBytes(features:level:)``); a block's scratch of ``blockVectors``·d Float64 while it is added.
public struct InputMomentsAccumulator: Sendable, Equatable, Codable {
    /// The feature vectors a block aims at (the calibrator makes blocks of ⌈this / vectors per row⌉ rows).
    public static let blockVectors = 256

    /// Features d (> 0).
    public let features: Int
    /// What is collected: `.perFeature` or `.gram`.
    public private(set) var level: InputMomentsLevel
    /// Vectors summed over.
    public private(set) var vectors: Int = 0
    /// Vectors left out for a non-finite element.
    public private(set) var skippedVectors: Int = 0
    /// Blocks added (each adds one value to every sum; bounded by ``ReproducibleSums/maximumAdditions``).
    public private(set) var blocks: Int = 0
    /// Σx, Σ|x|, Σx² of feature j at j, d + j, 2d + j.
    var moments: ReproducibleSums
    /// max |x| per feature.
    var maxAbs: [Float]
    /// Σx_i·x_j for i ≤ j, upper triangle row by row (``triangleIndex(_:_:)``), with level `.gram`.
    var gram: ReproducibleSums?

    /// What cannot be collected.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The reason, a sentence fragment.
        public let reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// An empty accumulator of `features` features collecting `level` (`.none` is taken as `.perFeature`).
    public init(features: Int, level: InputMomentsLevel) {
        precondition(features > 0, "an input has at least one feature")
        self.features = features
        self.level = level == .gram ? .gram : .perFeature
        moments = ReproducibleSums(count: 3 * features)
        maxAbs = [Float](repeating: 0, count: features)
        gram = level == .gram ? ReproducibleSums(count: features * (features + 1) / 2) : nil
    }

    /// Bytes of an accumulator's state for `features` features at `level` (the per-worker cost).
    public static func stateBytes(features d: Int, level: InputMomentsLevel) -> Int {
        let sum = 4 + 8 * ReproducibleSums.limbs
        let (square, overflow) = d.multipliedReportingOverflow(by: d + 1)
        let gram = level == .gram ? (overflow ? Int.max / 2 : square / 2 * sum) : 0
        return 3 * d * sum + 4 * d + gram
    }

    /// Bytes of the finished ``InputMoments`` (the Gram matrix d²·8 when collected, plus 4·d numbers).
    public static func finishedBytes(features d: Int, level: InputMomentsLevel) -> Int {
        let (square, overflow) = d.multipliedReportingOverflow(by: d)
        return 28 * d + (level == .gram ? (overflow ? Int.max / 2 : square * 8) : 0)
    }

    /// Index of Gram entry (i, j), i ≤ j, in the upper triangle stored row by row.
    @inline(__always)
    func triangleIndex(_ i: Int, _ j: Int) -> Int { i * features - i * (i - 1) / 2 + (j - i) }

    /// Adds one block: `count` vectors of ``features`` Float32 values, one after the other in `values`.
    /// The same block must always be given whole and with its vectors in the same order.
    ///
    /// - Throws: ``Failure`` when the sums would take more than ``ReproducibleSums/maximumAdditions`` blocks.
    public mutating func add(block values: UnsafeBufferPointer<Float>, count: Int) throws(Failure) {
        precondition(values.count >= count * features, "a block of \(count) vectors needs \(count * features) values")
        guard count > 0 else { return }
        guard blocks < ReproducibleSums.maximumAdditions else {
            throw Failure(reason: "more than \(ReproducibleSums.maximumAdditions) blocks of input moments")
        }
        let d = features
        let width = (d + 3) / 4 * 4
        // The finite vectors as Float64 panels of 4 features: panel p holds features 4p…4p+3, vector after
        // vector (features past d are zero).
        let panels = UnsafeMutableBufferPointer<SIMD4<Double>>.allocate(capacity: count * (width / 4))
        defer { panels.deallocate() }
        guard let base = panels.baseAddress else { return }
        var n = 0
        for v in 0..<count {
            let row = UnsafeBufferPointer(rebasing: values[(v * d)..<((v + 1) * d)])
            guard row.allSatisfy({ $0.isFinite }) else {
                skippedVectors += 1
                continue
            }
            for p in 0..<(width / 4) {
                var x = SIMD4<Double>()
                for k in 0..<4 where 4 * p + k < d { x[k] = Double(row[4 * p + k]) }
                panels[p * count + n] = x
            }
            for j in 0..<d { maxAbs[j] = Swift.max(maxAbs[j], Swift.abs(row[j])) }
            n += 1
        }
        vectors += n
        guard n > 0 else { return }
        blocks += 1
        let panelCount = width / 4
        // Per feature: Σx, Σ|x|, Σx² in vector order.
        for p in 0..<panelCount {
            var s = SIMD4<Double>()
            var a = SIMD4<Double>()
            var q = SIMD4<Double>()
            let panel = base + p * count
            for r in 0..<n {
                let x = panel[r]
                s += x
                a += SIMD4(Swift.abs(x[0]), Swift.abs(x[1]), Swift.abs(x[2]), Swift.abs(x[3]))
                q += x * x
            }
            for k in 0..<4 where 4 * p + k < d {
                moments.add(s[k], at: 4 * p + k)
                moments.add(a[k], at: d + 4 * p + k)
                moments.add(q[k], at: 2 * d + 4 * p + k)
            }
        }
        guard var g = gram else { return }
        gram = nil  // `g` the only reference: no copy on write
        defer { gram = g }
        // Gram: 4×4 tiles (i in panel ip, j in panel jp ≥ ip), each entry summed in vector order
        // (`ptqkit_gram_tiles`: AVX2+FMA where the CPU has it, portable C otherwise, the same bits).
        let tileCount = panelCount * (panelCount + 1) / 2
        let tiles = UnsafeMutableBufferPointer<Double>.allocate(capacity: tileCount * 16)
        defer { tiles.deallocate() }
        guard let out = tiles.baseAddress else { return }
        UnsafeRawPointer(base).withMemoryRebound(to: Double.self, capacity: count * width) { values in
            ptqkit_gram_tiles(values, n, panelCount, out)
        }
        g.withStorage { top, limbs in ptqkit_binned_add_tiles(out, panelCount, d, top, limbs) }
    }

    /// The same state collecting only the per-feature moments (the Gram sums dropped).
    public func withoutGram() -> InputMomentsAccumulator {
        var copy = self
        copy.level = .perFeature
        copy.gram = nil
        return copy
    }

    /// Folds in an accumulator of the same input that saw other blocks.
    ///
    /// - Throws: ``Failure`` when the features or levels differ, or the blocks exceed the sums' capacity.
    public mutating func merge(_ other: InputMomentsAccumulator) throws(Failure) {
        guard other.features == features, other.level == level else {
            throw Failure(
                reason: "input moments of \(other.features) features (\(other.level.rawValue)) cannot merge into "
                    + "\(features) features (\(level.rawValue))")
        }
        guard blocks <= ReproducibleSums.maximumAdditions - other.blocks else {
            throw Failure(reason: "more than \(ReproducibleSums.maximumAdditions) blocks of input moments")
        }
        moments.merge(other.moments)
        for j in 0..<features { maxAbs[j] = Swift.max(maxAbs[j], other.maxAbs[j]) }
        if let theirs = other.gram { gram?.merge(theirs) }
        vectors += other.vectors
        skippedVectors += other.skippedVectors
        blocks += other.blocks
    }

    /// The finished moments (the Gram matrix with both triangles).
    public func finished() -> InputMoments {
        let d = features
        let m = moments.values
        var full: [Double]?
        if let gram {
            var g = [Double](repeating: 0, count: d * d)
            for i in 0..<d {
                for j in i..<d {
                    let v = gram.value(at: triangleIndex(i, j))
                    g[i * d + j] = v
                    g[j * d + i] = v
                }
            }
            full = g
        }
        do {
            return try InputMoments(
                features: d, rows: vectors, sum: Array(m[0..<d]), sumOfAbs: Array(m[d..<(2 * d)]),
                sumOfSquares: Array(m[(2 * d)..<(3 * d)]), maxAbs: maxAbs, gram: full)
        } catch {
            preconditionFailure("input moments built with the wrong lengths: \(error)")  // lengths by construction
        }
    }

    private enum CodingKeys: String, CodingKey {
        case features, level, vectors, skippedVectors, blocks, moments, maxAbs, gram
    }

    /// Decodes a saved state, checking that every part fits ``features`` and ``level``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        features = try c.decode(Int.self, forKey: .features)
        level = try c.decode(InputMomentsLevel.self, forKey: .level)
        vectors = try c.decode(Int.self, forKey: .vectors)
        skippedVectors = try c.decode(Int.self, forKey: .skippedVectors)
        blocks = try c.decode(Int.self, forKey: .blocks)
        moments = try c.decode(ReproducibleSums.self, forKey: .moments)
        maxAbs = try c.decode([Float].self, forKey: .maxAbs)
        gram = try c.decodeIfPresent(ReproducibleSums.self, forKey: .gram)
        let (square, overflow) = features.multipliedReportingOverflow(by: features + 1)
        guard features > 0, !overflow, level != .none, vectors >= 0, skippedVectors >= 0,
            (0...ReproducibleSums.maximumAdditions).contains(blocks), moments.count == 3 * features,
            maxAbs.count == features, maxAbs.allSatisfy({ $0 >= 0 && $0.isFinite }),
            (gram?.count ?? -1) == (level == .gram ? square / 2 : -1)
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .features, in: c, debugDescription: "input moments whose parts do not fit \(features) features")
        }
    }
}
