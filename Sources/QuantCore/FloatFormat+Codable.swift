extension FloatFormat: Codable {
    private enum CodingKeys: String, CodingKey {
        case exponentBits, mantissaBits, bias, specials
    }

    /// Preset names, as PTQKit writes them.
    public static let presetNames: [(name: String, format: FloatFormat)] = [
        ("fp32", .fp32), ("fp16", .fp16), ("bf16", .bf16), ("fp8_e4m3fn", .fp8E4M3FN), ("fp8_e5m2", .fp8E5M2),
        ("fp8_e4m3fnuz", .fp8E4M3FNUZ), ("fp8_e5m2fnuz", .fp8E5M2FNUZ),
        ("fp6_e3m2", .fp6E3M2), ("fp6_e2m3", .fp6E2M3), ("fp4_e2m1", .fp4E2M1),
    ]

    /// Other spellings accepted by ``init(presetName:)``: ml_dtypes / NumPy / PyTorch-style names.
    private static let aliases: [String: String] = [
        "float32": "fp32", "float16": "fp16", "half": "fp16", "bfloat16": "bf16",
        "float8_e4m3fn": "fp8_e4m3fn", "e4m3fn": "fp8_e4m3fn", "e4m3": "fp8_e4m3fn",
        "float8_e5m2": "fp8_e5m2", "e5m2": "fp8_e5m2",
        "float8_e4m3fnuz": "fp8_e4m3fnuz", "e4m3fnuz": "fp8_e4m3fnuz", "float8_e5m2fnuz": "fp8_e5m2fnuz",
        "e5m2fnuz": "fp8_e5m2fnuz",
        "float6_e3m2fn": "fp6_e3m2", "e3m2": "fp6_e3m2", "float6_e2m3fn": "fp6_e2m3", "e2m3": "fp6_e2m3",
        "float4_e2m1fn": "fp4_e2m1", "e2m1": "fp4_e2m1",
        "fp6_e3m2fn": "fp6_e3m2", "fp6_e2m3fn": "fp6_e2m3", "fp4_e2m1fn": "fp4_e2m1",
    ]

    /// The preset called `presetName` (case-insensitive; PTQKit names such as "fp8_e4m3fn" and
    /// ml_dtypes names such as "float8_e4m3fn" or "bfloat16"), or nil.
    public init?(presetName: String) {
        let lowered = presetName.lowercased()
        let name = Self.aliases[lowered] ?? lowered
        guard let match = Self.presetNames.first(where: { $0.name == name }) else { return nil }
        self = match.format
    }

    /// The PTQKit name of this format if it is a preset ("fp8_e4m3fn"), else nil.
    public var presetName: String? { Self.presetNames.first { $0.format == self }?.name }

    /// Decodes either a preset name (`"fp8_e4m3fn"`) or the fields
    /// `{exponentBits, mantissaBits, bias?, specials}`, validated like
    /// ``init(exponentBits:mantissaBits:bias:specials:)``.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let preset = FloatFormat(presetName: name) else {
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription:
                        """
                        unknown float format \"\(name)\"; presets: \
                        \(Self.presetNames.map(\.name).joined(separator: ", "))
                        """
                )
            }
            self = preset
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            self = try FloatFormat(
                exponentBits: try container.decode(Int.self, forKey: .exponentBits),
                mantissaBits: try container.decode(Int.self, forKey: .mantissaBits),
                bias: try container.decodeIfPresent(Int.self, forKey: .bias),
                specials: try container.decode(SpecialValues.self, forKey: .specials))
        } catch let error as FloatFormatError {
            throw DecodingError.dataCorruptedError(
                forKey: .exponentBits, in: container, debugDescription: error.description)
        }
    }

    /// Encodes a preset as its name, any other format as its fields.
    public func encode(to encoder: any Encoder) throws {
        if let presetName {
            var single = encoder.singleValueContainer()
            try single.encode(presetName)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exponentBits, forKey: .exponentBits)
        try container.encode(mantissaBits, forKey: .mantissaBits)
        try container.encode(bias, forKey: .bias)
        try container.encode(specials, forKey: .specials)
    }
}
