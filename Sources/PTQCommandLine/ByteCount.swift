import ArgumentParser

/// A size in bytes given on the command line: digits with an optional binary suffix, `K`/`KiB` (×2¹⁰),
/// `M`/`MiB` (×2²⁰), `G`/`GiB` (×2³⁰) or `B`, case-insensitive (`65536`, `64M`, `64MiB`, `1g`).
struct ByteCount: ExpressibleByArgument, Hashable {
    /// The size in bytes (positive).
    var bytes: Int

    /// Parses `argument`; `nil` (a usage error naming the option) for anything else, zero, or a size
    /// that overflows `Int`.
    init?(argument: String) {
        let digits = argument.prefix { $0.isASCII && $0.isNumber }
        let suffix = argument.dropFirst(digits.count).lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30,
        ]
        guard !digits.isEmpty, let value = Int(digits), let multiplier = multipliers[suffix] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow, bytes > 0 else { return nil }
        self.bytes = bytes
    }
}
