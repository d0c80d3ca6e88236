import PTQKit

extension InspectReport {
    // MARK: JSON

    /// The report as JSON. Key order is fixed: `file`, `error`, `entries`; per entry `path`, `kind`, then
    /// for datasets `dtype`, `byte_order`, `shape`, `max_shape`, `storage`, `chunks`, `filters`,
    /// `compression`, `bytes`, `storage_bytes`, `stats`, `error`; for soft links `target`, `resolves`.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("file", .string(file))]
        if let failure { members.append(("error", Self.json(failure))) }
        members.append(("entries", .array(entries.map(\.json))))
        return .object(JSONObject(members))
    }

    /// An error as `{"kind": ..., "message": ..., "stack": [...]}` (`stack`: HDF5's error stack, outermost
    /// frame first; empty when PTQKit detected the problem itself).
    static func json(_ error: any Error) -> JSONValue {
        let kind: String =
            switch error {
            case let error as HDF5Error: error.kind.name
            case TensorIOError.hdf5(let inner): inner.kind.name
            case TensorIOError.noFilesMatch: "noFilesMatch"
            case TensorIOError.noFiles: "noFiles"
            case TensorIOError.shapeMismatch: "shapeMismatch"
            case TensorIOError.invalidBatchSize: "invalidBatchSize"
            case TensorIOError.threadUnavailable: "threadUnavailable"
            default: "internal"
            }
        let stack: [String] =
            switch error {
            case let error as HDF5Error: error.stack
            case TensorIOError.hdf5(let inner): inner.stack
            default: []
            }
        return .object([
            ("kind", .string(kind)), ("message", .string("\(error)")), ("stack", .array(stack.map(JSONValue.string))),
        ])
    }

    // MARK: Text

    /// The report as an indented tree, one line per link, a second line of statistics per dataset.
    var text: String {
        var lines = [file]
        if let failure { lines.append("  error: \(failure)") }
        let width = min(48, entries.map(\.path.count).max() ?? 0)
        for entry in entries {
            let path = entry.path.padding(toLength: max(width, entry.path.count), withPad: " ", startingAt: 0)
            lines.append("  \(path)  \(entry.summary)")
            if let statistics = entry.statistics { lines.append("      " + Self.text(statistics)) }
            if let failure = entry.failure { lines.append("      error: \(failure)") }
        }
        return lines.joined(separator: "\n")
    }

    private static func text(_ s: TensorStatistics) -> String {
        func g(_ value: Double) -> String {
            value.isFinite && s.finiteCount > 0 ? String(format: "%.6g", value) : "n/a"
        }
        let zeroPercent = String(format: "%.2f%%", s.zeroFraction * 100)
        return "min \(g(Double(s.min)))  max \(g(Double(s.max)))  mean \(g(s.mean))  std \(g(s.standardDeviation))"
            + "  absmax \(g(Double(s.absMax)))  zeros \(zeroPercent)  nan \(s.nanCount)"
            + "  +inf \(s.positiveInfinityCount)  -inf \(s.negativeInfinityCount)"
    }

    /// `1.5 KiB`-style sizes (powers of 1024).
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension InspectReport.Entry {
    /// One-line description after the path.
    var summary: String {
        switch kind {
        case .group: return "group"
        case .other: return failure == nil ? "other object" : "dataset"
        case .externalLink: return "external link"
        case .softLink(let target, let resolves): return "-> \(target)" + (resolves ? "" : " (dangling)")
        case .dataset(let info):
            var parts = [info.elementType.description, "[" + info.shape.map(String.init).joined(separator: ", ") + "]"]
            if let chunks = info.chunkShape {
                parts.append("chunks [" + chunks.map(String.init).joined(separator: ", ") + "]")
            } else {
                parts.append(info.storage.rawValue)
            }
            if !info.filters.isEmpty { parts.append(info.filters.map(\.description).joined(separator: "+")) }
            var size = InspectReport.bytes(info.logicalBytes)
            if info.storageBytes != info.logicalBytes { size += " (stored \(InspectReport.bytes(info.storageBytes)))" }
            parts.append(size)
            return parts.joined(separator: "  ")
        }
    }

    /// The entry as JSON (see ``InspectReport/json`` for the key order).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("path", .string(path))]
        switch kind {
        case .group:
            members.append(("kind", .string("group")))
        case .other:
            members.append(("kind", .string(failure == nil ? "other" : "dataset")))
        case .externalLink:
            members.append(("kind", .string("external_link")))
        case .softLink(let target, let resolves):
            members += [("kind", .string("soft_link")), ("target", .string(target)), ("resolves", .bool(resolves))]
        case .dataset(let info):
            members.append(("kind", .string("dataset")))
            members += Self.json(info)
            members.append(("stats", statistics.map(Self.json) ?? .null))
        }
        if let failure { members.append(("error", InspectReport.json(failure))) }
        return .object(JSONObject(members))
    }

    private static func json(_ info: DatasetInfo) -> [(String, JSONValue)] {
        let dtype: JSONValue
        let order: JSONValue
        switch info.elementType {
        case .numeric(let type):
            dtype = .string(type.name)
            order = .string(type.byteOrder.rawValue)
        case .unsupported(let name):
            dtype = .string("unsupported(\(name))")
            order = .null
        }
        let compression = info.filters.first(where: \.isCompression).map { JSONValue.string($0.description) } ?? .null
        return [
            ("dtype", dtype), ("byte_order", order), ("shape", .ints(info.shape)),
            ("max_shape", .array(info.maxShape.map { $0.map(JSONValue.int) ?? .null })),
            ("storage", .string(info.storage.rawValue)), ("chunks", info.chunkShape.map(JSONValue.ints) ?? .null),
            ("filters", .array(info.filters.map { .string($0.description) })), ("compression", compression),
            ("bytes", .int(info.logicalBytes)), ("storage_bytes", .int(info.storageBytes)),
        ]
    }

    /// Statistics; `min`/`max`/`absmax` are the exact Float32 values written as Double, `null` when no
    /// value is finite. Keys: count, finite_count, min, max, mean, std, absmax, zero_fraction,
    /// nan_count, posinf_count, neginf_count.
    private static func json(_ s: TensorStatistics) -> JSONValue {
        let any = s.finiteCount > 0
        return .object([
            ("count", .int(s.count)), ("finite_count", .int(s.finiteCount)),
            ("min", any ? .double(Double(s.min)) : .null), ("max", any ? .double(Double(s.max)) : .null),
            ("mean", any ? .double(s.mean) : .null), ("std", any ? .double(s.standardDeviation) : .null),
            ("absmax", any ? .double(Double(s.absMax)) : .null), ("zero_fraction", .double(s.zeroFraction)),
            ("nan_count", .int(s.nanCount)), ("posinf_count", .int(s.positiveInfinityCount)),
            ("neginf_count", .int(s.negativeInfinityCount)),
        ])
    }
}
