extension SlotRanges: Codable {
    private enum CodingKeys: String, CodingKey { case min, max }

    /// Decodes per-slot ranges; `null` stands for an empty slot (`±Inf`, which JSON cannot hold).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let lo = try c.decode([Float?].self, forKey: .min)
        let hi = try c.decode([Float?].self, forKey: .max)
        guard lo.count == hi.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .max, in: c, debugDescription: "min and max differ in length")
        }
        min = lo.map { $0 ?? .infinity }
        max = hi.map { $0 ?? -.infinity }
    }

    /// Encodes per-slot ranges; empty slots are written as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(min.map { $0.isFinite ? $0 : nil }, forKey: .min)
        try c.encode(max.map { $0.isFinite ? $0 : nil }, forKey: .max)
    }
}
