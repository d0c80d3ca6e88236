/// Numbers and strings spelled exactly as Python's `json.dumps` (default arguments) and `str(float)` spell
/// them, so that a file PTQKit exports for a Python consumer has the bytes its own writer would produce.
///
/// Python's `repr(float)` is the shortest decimal that round-trips to the same double, written in fixed
/// notation when the decimal point position `decpt` (value = 0.d₁d₂… × 10^decpt) satisfies
/// −4 < decpt ≤ 16 and in exponent notation `d₁.d₂…e±XX` (at least two exponent digits) otherwise; whole
/// numbers keep a `.0`.
enum PythonLiteral {
    /// `repr(x)` / `str(x)` of a Python float (`json.dumps` writes the same for finite values; non-finite
    /// values are spelled `NaN`, `Infinity`, `-Infinity` as `json.dumps` does by default).
    static func float(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        let sign = x.sign == .minus ? "-" : ""
        if x == 0 { return sign + "0.0" }
        let (digits, decpt) = shortestDigits(abs(x))
        if decpt <= -4 || decpt > 16 {
            let exponent = decpt - 1
            let mantissa = digits.count > 1 ? "\(digits.prefix(1)).\(digits.dropFirst())" : digits
            let magnitude = String(abs(exponent))
            let padded = magnitude.count < 2 ? "0" + magnitude : magnitude
            return "\(sign)\(mantissa)e\(exponent < 0 ? "-" : "+")\(padded)"
        }
        if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
        if decpt >= digits.count { return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0" }
        let split = digits.index(digits.startIndex, offsetBy: decpt)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The shortest round-trip significant digits of a finite positive `x` (no leading or trailing zeros)
    /// and the decimal point position: x = 0.digits × 10^decpt. Taken from Swift's `description`, which,
    /// like Python's `repr`, prints the shortest digits that round-trip (the closest of them to `x`).
    static func shortestDigits(_ x: Double) -> (digits: String, decpt: Int) {
        let text = x.description  // "1.5", "0.0001", "1e-05", "1.2345e+16", "5e-324"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition: Int?
        for character in mantissa {
            if character == "." { pointPosition = digits.count } else { digits.append(character) }
        }
        var decpt = (pointPosition ?? digits.count) + exponent
        while digits.first == "0" {
            digits.removeFirst()
            decpt -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, decpt)
    }

    /// A JSON string literal as `json.dumps` writes it with `ensure_ascii=True`: `"` and `\` escaped,
    /// `\n \r \t \b \f` by name, other control characters and every non-ASCII character as `\uXXXX`
    /// (lowercase hex, UTF-16 surrogate pairs above U+FFFF).
    static func string(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
