extension ActivationRecord {
    /// Whether the record's codes are integers (`int8`, `uint8`, `int8n`, `int16`, `uint4`, …) rather than a
    /// minifloat or another non-integer format: the name is `int`/`uint`, digits, and an optional `n`.
    public var hasIntegerCodes: Bool {
        var rest = Substring(format)
        if rest.hasPrefix("u") { rest = rest.dropFirst() }
        guard rest.hasPrefix("int") else { return false }
        rest = rest.dropFirst(3)
        if rest.hasSuffix("n") { rest = rest.dropLast() }
        return !rest.isEmpty && rest.allSatisfy(\.isASCII) && rest.allSatisfy(\.isNumber)
    }
}
