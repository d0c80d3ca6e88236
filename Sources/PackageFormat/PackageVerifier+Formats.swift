import QuantCore

/// The invariants of the number formats beyond `int` (`docs/package-format.md`): block-scaled tensors,
/// fixed-point scales and minifloat activations.
extension PackageVerifier {
    /// A block-scaled (MX / NVFP4) tensor: its element and scale decode tables are those of its formats,
    /// the block size is the format's (32 with E8M0 scales, 16 with E4M3FN), every code is in its table, no
    /// scale code is NaN, the global scale is finite and positive, and every block's largest value is finite.
    static func checkBlockScaled(
        _ record: TensorRecord, _ package: borrowing PackageReader, _ report: inout Report
    ) throws(PackageError) {
        let place = "\(package.path): \(record.dataset)"
        guard let q = record.quantization, let elementName = q.elementFormat,
            let element = FloatFormat(presetName: elementName)
        else {
            report.check("\(place): block-scaled tensor without a known element_format")
            return
        }
        let (codes, table) = try package.minifloatCodes(of: record)
        let (scaleCodes, scaleTable, global) = try package.blockScaleCodes(of: record)
        report.check(
            sameValues(table, (0..<element.codeCount).map { element.decode(UInt32($0)) })
                ? nil : "\(place): decode table differs from \(elementName)")
        let outside = codes.filter { Int($0) >= table.count }.count
        report.check(outside == 0 ? nil : "\(place): \(outside) codes beyond the \(table.count)-entry decode table")
        let expectedScales: [Float]
        let blockSize: Int
        switch q.scaleFormat {
        case "e8m0":
            expectedScales = (0...255).map { $0 == 255 ? .nan : Float(sign: .plus, exponent: $0 - 127, significand: 1) }
            blockSize = 32
        case "fp8_e4m3fn":
            expectedScales = (0...255).map { FloatFormat.fp8E4M3FN.decode(UInt32($0)) }
            blockSize = 16
        default:
            report.check("\(place): scale_format '\(q.scaleFormat ?? "absent")' is not e8m0 or fp8_e4m3fn")
            return
        }
        report.check(
            sameValues(scaleTable, expectedScales)
                ? nil : "\(place): scale decode table differs from \(q.scaleFormat ?? "")")
        report.check(
            q.groupSize == blockSize
                ? nil : "\(place): block size \(q.groupSize ?? 0), \(q.scaleFormat ?? "") needs \(blockSize)")
        let nanScales = scaleCodes.filter { scaleTable[Int($0)].isNaN }.count
        report.check(nanScales == 0 ? nil : "\(place): \(nanScales) scale codes are NaN")
        report.check(
            global.isFinite && global > 0 ? nil : "\(place): global scale \(global) is not finite and positive")
        let largest = element.maxFinite
        let overflowing = scaleCodes.filter { !(scaleTable[Int($0)] * global * largest).isFinite }.count
        report.check(
            overflowing == 0 || nanScales > 0
                ? nil : "\(place): \(overflowing) block scales are too large: codes dequantize to ±Inf")
    }

    /// A fixed-point tensor's scales: 2^−fraction_bits each, the Float nearest 10^−fraction_digits each, or
    /// (exponent chosen per parameter) powers of two.
    static func checkFixedPointScales(
        _ record: TensorRecord, _ q: TensorQuantization, scales: [Float], package: String, _ report: inout Report
    ) {
        guard q.format == "fixed" else { return }
        let place = "\(package): \(record.dataset)"
        if let digits = q.fractionDigits {
            let e = Float("1e-\(digits)")
            let wrong = scales.filter { $0 != e }.count
            report.check(wrong == 0 ? nil : "\(place): \(wrong) scales are not 1e-\(digits) (fraction_digits)")
        } else if let bits = q.fractionBits {
            let e = Float(sign: .plus, exponent: -bits, significand: 1)
            let wrong = scales.filter { $0 != e }.count
            report.check(wrong == 0 ? nil : "\(place): \(wrong) scales are not 2^-\(bits) (fraction_bits)")
        } else {
            let wrong = scales.filter { !($0.isNormal && $0.significandBitPattern == 0) }.count
            report.check(wrong == 0 ? nil : "\(place): \(wrong) fixed-point scales are not powers of two")
        }
    }

    /// A minifloat activation: codes 0…2^bits − 1 of its format, zero point 0, symmetric, and the scale
    /// amax / maxFinite (1 for amax 0, at least the smallest normal Float) of its recorded range.
    static func checkMinifloatActivation(
        _ a: ActivationRecord, element: FloatFormat, place: String, _ report: inout Report
    ) {
        report.check(
            a.bits == element.bitWidth && a.qmin == 0 && a.qmax == element.codeCount - 1 && a.zeroPoint == 0
                && a.scheme == Symmetry.symmetric.rawValue
                ? nil
                : "\(place): \(a.format) needs bits \(element.bitWidth), codes 0...\(element.codeCount - 1), "
                    + "zero point 0 and the symmetric scheme")
        guard let scale = a.scale else {
            report.check("\(place): a \(a.format) activation has one scale per tensor, and none is recorded")
            return
        }
        guard let quantizer = try? FloatFormatQuantizer(format: element, granularity: .perTensor) else { return }
        let expected = quantizer.scale(forAmax: max(abs(a.rangeMin), abs(a.rangeMax)))
        report.check(
            expected.bitPattern == scale.bitPattern
                ? nil
                : "\(place): scale \(scale) is not amax / \(element.maxFinite) of the recorded range "
                    + "[\(a.rangeMin), \(a.rangeMax)] (\(expected))")
    }

    /// Whether two tables hold the same floats (NaN equal to NaN).
    static func sameValues(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }
}
