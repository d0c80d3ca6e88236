import Foundation

/// Text made safe for HTML and SVG, and numbers printed for people.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it can stand in
    /// element content and in quoted attribute values (layer names and paths come from user files).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newline are not allowed in HTML text.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n": out += "\u{FFFD}"
            case "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A number with `digits` significant digits (`%.{digits}g`), `–` for `nil`.
    static func number(_ value: Double?, digits: Int = 4) -> String {
        guard let value else { return "–" }
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        return String(format: "%.\(digits)g", value)
    }

    /// A fraction 0…1 as a percentage with up to 3 significant digits (`0.0123 %`).
    static func percent(_ fraction: Double) -> String { number(fraction * 100, digits: 3) + " %" }

    /// A coordinate in an SVG attribute: at most one decimal.
    static func coordinate(_ x: Double) -> String {
        let rounded = (x * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// A value for a `data-*` sort attribute: plain decimal, empty for `nil` (sorted last).
    static func sortValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.9g", value)
    }
}
