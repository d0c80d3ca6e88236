extension ExactHistogram: Codable {
    private enum CodingKeys: String, CodingKey { case budget, exponent, firstBin, counts, min, max }

    /// Decodes and validates a histogram (its grid must be the canonical one for its range).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let lo = try c.decodeIfPresent(Float.self, forKey: .min)
        let hi = try c.decodeIfPresent(Float.self, forKey: .max)
        try self.init(
            budget: try c.decode(Int.self, forKey: .budget),
            exponent: try c.decode(Int.self, forKey: .exponent),
            firstBin: try c.decode(Int64.self, forKey: .firstBin),
            counts: try c.decode([UInt64].self, forKey: .counts),
            min: lo ?? .infinity, max: hi ?? -.infinity)
    }

    /// Encodes the histogram; `min`/`max` are omitted when it is empty.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(budget, forKey: .budget)
        try c.encode(exponent, forKey: .exponent)
        try c.encode(firstBin, forKey: .firstBin)
        try c.encode(counts, forKey: .counts)
        if !isEmpty {
            try c.encode(min, forKey: .min)
            try c.encode(max, forKey: .max)
        }
    }
}
