public import QuantCore

extension QuantizationSettings {
    /// A setting that contradicts the number format: the offending key, its value and what is allowed.
    public struct FormatProblem: Sendable, Hashable {
        /// The configuration key (kebab-case) to name in the error.
        public var key: String
        /// Its effective value.
        public var value: String
        /// What the format allows there.
        public var allowed: String
    }

    /// The effective number format (`int` when none was configured).
    public var numberFormat: NumberFormatSetting { format ?? .int }

    /// Applies `format`, `fraction-bits` and `fraction-digits` of `section`. A section that sets a format
    /// other than `int` and leaves `scheme` unset makes it `symmetric` (these formats have no zero point);
    /// an MX/NVFP4 format also makes the granularity `per-group` with the format's block size along the last
    /// axis (the reduction axis of an `[out, in]` weight) unless the section sets them.
    mutating func applyFormat(of section: PolicySettings) {
        if let format = section.format {
            self.format = format
            if format != .int, section.scheme == nil { scheme = .symmetric }
            if let size = format.blockSize {
                if section.granularity == nil { granularity = .perGroup }
                if section.groupSize == nil { groupSize = size }
                if section.axis == nil { axis = -1 }
            }
        }
        if let bits = section.fractionBits {
            fractionBits = bits
            if section.fractionDigits == nil { fractionDigits = nil }
        }
        if let digits = section.fractionDigits {
            fractionDigits = digits
            if section.fractionBits == nil { fractionBits = nil }
        }
    }

    /// The first setting the number format cannot honour, or `nil`. `activations` applies the rules of
    /// activation settings (integer or minifloat formats only).
    public func formatProblem(activations: Bool) -> FormatProblem? {
        let format = numberFormat
        if format != .fixed {
            if let n = fractionBits {
                return FormatProblem(key: "fraction-bits", value: "\(n)", allowed: "format: fixed")
            }
            if let d = fractionDigits {
                return FormatProblem(key: "fraction-digits", value: "\(d)", allowed: "format: fixed")
            }
        }
        guard format != .int else { return nil }
        if activations && !format.isMinifloat {
            let allowed = ["int"] + NumberFormatSetting.allCases.filter(\.isMinifloat).map(\.rawValue)
            return FormatProblem(
                key: "format", value: format.rawValue,
                allowed: allowed.joined(separator: ", ") + " (activations; MX, NVFP4 and fixed are for weights)")
        }
        if activations && granularity != .perTensor {
            return FormatProblem(
                key: "granularity", value: granularity.rawValue,
                allowed: "per-tensor (\(format.rawValue) activations have one scale per tensor)")
        }
        if scheme != .symmetric {
            return FormatProblem(
                key: "scheme", value: scheme.rawValue,
                allowed: "symmetric (format \(format.rawValue) has no zero point)")
        }
        if format.elementFormat != nil, signedness == .unsigned {
            return FormatProblem(
                key: "signedness", value: signedness.rawValue,
                allowed: "signed (\(format.rawValue) codes carry a sign bit)")
        }
        if let size = format.blockSize {
            if granularity != .perGroup {
                return FormatProblem(
                    key: "granularity", value: granularity.rawValue,
                    allowed: "per-group (\(format.rawValue) scales blocks of \(size))")
            }
            if groupSize != size {
                return FormatProblem(
                    key: "group-size", value: "\(groupSize)", allowed: "\(size) (the \(format.rawValue) block size)")
            }
        }
        if format == .fixed, let digits = fractionDigits {
            if fractionBits != nil {
                return FormatProblem(
                    key: "fraction-digits", value: "\(digits)", allowed: "either fraction-bits or fraction-digits")
            }
            if (try? decimalFixedPoint(digits: digits)) == nil {
                return FormatProblem(
                    key: "fraction-digits", value: "\(digits)",
                    allowed: "a sign bit, an integer field and ⌈log2 10^d⌉ fraction bits within bits: \(bits)")
            }
        }
        return nil
    }

    /// The seed's decimal fixed-point layout for `bits`: a sign bit (signed), an integer field, and a fraction
    /// field of ⌈log2 10^digits⌉ bits holding 0…10^digits − 1 units of E = 10^−digits.
    /// - Throws: ``QuantizationError/invalidFixedPointLayout(_:)`` when the fields do not fit `bits`.
    public func decimalFixedPoint(digits: Int) throws(QuantizationError) -> FixedPointFormat {
        let probe = try FixedPointFormat.decimal(integerBits: 0, fractionDigits: digits, signed: signedness == .signed)
        let integerBits = bits - probe.bitWidth
        guard integerBits >= 0 else {
            throw .invalidFixedPointLayout("\(probe.bitWidth) bits for sign and \(digits) digits exceed \(bits)")
        }
        return try FixedPointFormat.decimal(
            integerBits: integerBits, fractionDigits: digits, signed: signedness == .signed)
    }
}
