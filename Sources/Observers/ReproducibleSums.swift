internal import CMomentKernels
internal import Foundation

/// `count` running sums of Doubles whose result does not depend on the order of the additions nor on how
/// they were split between accumulators that are merged later: the reduction that makes ``InputMoments``
/// identical across threads, batch sizes and shards.
///
/// The scheme (a binned fixed-point accumulator, after Demmel–Nguyen's reproducible summation): the binary
/// exponent axis is cut into bins of ``binBits`` = 32 bits, bin b holding the bits of weight
/// 2^(32·b + ``lowestBit``) … 2^(32·b + 31 + ``lowestBit``). Each sum keeps a window of ``limbs`` = 3 bins:
/// the bin of the leading bit of the largest value added so far (its `top`) and the two below. A value
/// v = ±m·2^e (m the 53-bit significand) is cut along the bin boundaries into integer pieces p_b < 2^32, and
/// each piece of a bin inside the window is added, with v's sign, to that bin's Int64 limb (un-normalized:
/// a limb is the exact sum of its bin's pieces). When a larger value moves the window up, the bins falling
/// out at the bottom are dropped. Every value therefore contributes exactly the pieces it has in the final
/// window, and the limbs hold exact integer sums of those pieces: the state, and the Double it finishes
/// into, depend only on the multiset of values added (merging adds limbs after aligning windows the same
/// way). The sum is exact down to at least 2⁻⁶⁴ of the largest value added (the bits below the window are
/// dropped); Int64 limbs hold 2³⁰ additions of 32-bit pieces, far more than any calibration makes
/// (``maximumAdditions``).
public struct ReproducibleSums: Sendable, Equatable {
    /// Bits per bin.
    public static let binBits = 32
    /// Bins kept per sum.
    public static let limbs = 3
    /// The weight of bin 0's lowest bit: 2^−1088 (below the smallest subnormal Double, 2^−1074).
    public static let lowestBit = -1088
    /// How many values one sum may take in all (including those merged in) before a limb could overflow.
    public static let maximumAdditions = 1 << 30
    /// No value added yet.
    static let empty: Int32 = -1

    /// The number of sums.
    public let count: Int
    /// Per sum, the bin of its window's top limb, or ``empty``.
    private(set) var top: [Int32]
    /// Per sum, ``limbs`` Int64 limbs, top bin first.
    private(set) var limbValues: [Int64]

    /// `count` sums of nothing.
    public init(count: Int) {
        self.count = count
        top = [Int32](repeating: Self.empty, count: count)
        limbValues = [Int64](repeating: 0, count: count * Self.limbs)
    }

    /// The bin holding bit `bit` (a binary exponent ≥ ``lowestBit``).
    @inline(__always)
    static func bin(ofBit bit: Int) -> Int { (bit - lowestBit) >> 5 }

    /// Adds `value` to sum `index`. Zeros add nothing; `value` must be finite. (`ptqkit_binned_add`, in C
    /// for speed: the pieces of `value` = ±m·2^e along the 32-bit bin grid added to the window's limbs.)
    public mutating func add(_ value: Double, at index: Int) {
        precondition(index >= 0 && index < count, "sum \(index) of \(count)")
        withStorage { top, limbs in ptqkit_binned_add(top + index, limbs + index * Self.limbs, value) }
    }

    /// Runs `body` on the window indices (``count``) and limbs (``count`` × ``limbs``), for bulk additions
    /// by the C kernels; nothing when there are no sums.
    mutating func withStorage(_ body: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int64>) -> Void) {
        top.withUnsafeMutableBufferPointer { t in
            limbValues.withUnsafeMutableBufferPointer { l in
                guard let t = t.baseAddress, let l = l.baseAddress else { return }
                body(t, l)
            }
        }
    }

    /// Moves sum `index`'s window up to top bin `newTop`, dropping the limbs that fall below it.
    private mutating func shift(_ index: Int, to newTop: Int32) {
        let base = index * Self.limbs
        let current = top[index]
        top[index] = newTop
        guard current != Self.empty else { return }
        let by = Int(newTop - current)
        for k in stride(from: Self.limbs - 1, through: 0, by: -1) {
            limbValues[base + k] = k - by >= 0 ? limbValues[base + k - by] : 0
        }
    }

    /// Folds in the sums of `other` (same count): the result is that of adding all their values here.
    public mutating func merge(_ other: ReproducibleSums) {
        precondition(other.count == count, "merging \(other.count) sums into \(count)")
        for i in 0..<count where other.top[i] != Self.empty {
            if other.top[i] > top[i] { shift(i, to: other.top[i]) }
            let by = Int(top[i] - other.top[i])
            for k in 0..<Self.limbs where k + by < Self.limbs {
                limbValues[i * Self.limbs + k + by] &+= other.limbValues[i * Self.limbs + k]
            }
        }
    }

    /// Sum `index` rounded to the nearest Double (exact integer arithmetic up to that one rounding).
    public func value(at index: Int) -> Double {
        let t = top[index]
        guard t != Self.empty else { return 0 }
        let base = index * Self.limbs
        // Carries propagated upward: Σ limb_k·2^(32·(2 − k)) = high·2^64 + low, low = (l1' << 32) | l2'.
        var carry: Int64 = 0
        var low: UInt64 = 0
        for k in stride(from: Self.limbs - 1, through: 1, by: -1) {
            let limb = limbValues[base + k] + carry
            low |= UInt64(limb & 0xFFFF_FFFF) << UInt64(32 * (Self.limbs - 1 - k))
            carry = limb >> 32
        }
        let high = limbValues[base] + carry
        let lowestBin = Int(t) - (Self.limbs - 1)
        return Self.rounded(high: high, low: low, timesTwoToThe: lowestBin * Self.binBits + Self.lowestBit)
    }

    /// `(high·2^64 + low) · 2^exponent` rounded once to the nearest Double (ties to even).
    static func rounded(high: Int64, low: UInt64, timesTwoToThe exponent: Int) -> Double {
        let negative = high < 0
        // The magnitude as two words (two's complement negation of the 128-bit value).
        var hi = UInt64(bitPattern: high)
        var lo = low
        if negative {
            lo = ~lo &+ 1
            hi = ~hi &+ (lo == 0 ? 1 : 0)
        }
        guard hi != 0 || lo != 0 else { return 0 }
        let width = hi != 0 ? 128 - hi.leadingZeroBitCount : 64 - lo.leadingZeroBitCount
        // Keep 53 significant bits (fewer when the result is subnormal), round the rest to nearest even.
        let leadingExponent = exponent + width - 1
        let keep = leadingExponent >= -1022 ? 53 : Swift.max(0, 53 - (-1022 - leadingExponent))
        let drop = Swift.max(0, width - keep)
        func bits(below n: Int) -> (hi: UInt64, lo: UInt64) {  // the magnitude's bits [0, n)
            if n >= 128 { return (hi, lo) }
            if n >= 64 { return (hi & ((1 << UInt64(n - 64)) &- 1), lo) }
            return (0, lo & ((1 << UInt64(n)) &- 1))
        }
        var kept: UInt64 =
            drop >= 128
            ? 0
            : drop >= 64 ? hi >> UInt64(drop - 64) : drop == 0 ? lo : (lo >> UInt64(drop)) | (hi << UInt64(64 - drop))
        if drop > 0 {
            let rest = bits(below: drop)
            let half: (hi: UInt64, lo: UInt64) =
                drop - 1 >= 64 ? (1 << UInt64(drop - 65), 0) : (0, 1 << UInt64(drop - 1))
            let above = rest.hi > half.hi || (rest.hi == half.hi && rest.lo > half.lo)
            if above || (rest == half && kept & 1 == 1) { kept += 1 }
        }
        return Double(sign: negative ? .minus : .plus, exponent: exponent + drop, significand: Double(kept))
    }

    /// Every sum, as Doubles.
    public var values: [Double] { (0..<count).map(value(at:)) }
}

extension ReproducibleSums: Codable {
    private enum CodingKeys: String, CodingKey {
        case count, top, limbs
    }

    /// Decodes `count` and the little-endian `top` (Int32) and `limbs` (Int64) arrays (base64), checking sizes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        guard count >= 0, count <= Int.max / (Self.limbs * 8) else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: c, debugDescription: "invalid count \(count)")
        }
        let topBytes = try c.decode(Data.self, forKey: .top)
        let limbBytes = try c.decode(Data.self, forKey: .limbs)
        guard topBytes.count == count * 4, limbBytes.count == count * Self.limbs * 8 else {
            throw DecodingError.dataCorruptedError(
                forKey: .limbs, in: c, debugDescription: "sizes do not match \(count) sums")
        }
        let n = count
        top = topBytes.withUnsafeBytes { raw in
            (0..<n).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
        limbValues = limbBytes.withUnsafeBytes { raw in
            (0..<(n * Self.limbs)).map {
                Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
            }
        }
        let maxBin = Int32(Self.bin(ofBit: 1023))
        guard top.allSatisfy({ $0 == Self.empty || (0...maxBin).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: .top, in: c, debugDescription: "bin index out of range")
        }
    }

    /// Encodes `count` and the arrays as little-endian bytes (base64 in JSON): compact and byte-stable.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        var topBytes = Data(capacity: count * 4)
        for t in top { withUnsafeBytes(of: t.littleEndian) { topBytes.append(contentsOf: $0) } }
        var limbBytes = Data(capacity: limbValues.count * 8)
        limbValues.withUnsafeBufferPointer { buffer in
            for v in buffer { withUnsafeBytes(of: v.littleEndian) { limbBytes.append(contentsOf: $0) } }
        }
        try c.encode(topBytes, forKey: .top)
        try c.encode(limbBytes, forKey: .limbs)
    }
}
