import PTQKit

/// What `ptq inspect` found in one file: every link with its metadata and, when asked, the statistics
/// of every numeric dataset (each streamed once in bounded memory).
struct InspectReport {
    /// One link of the file.
    struct Entry {
        enum Kind {
            case group
            case dataset(DatasetInfo)
            case softLink(target: String, resolves: Bool)
            case externalLink
            case other
        }
        var path: String
        var kind: Kind
        /// Statistics of the dataset's values (numeric datasets with `--stats` only).
        var statistics: TensorStatistics?
        /// Why this entry could not be described or streamed.
        var failure: (any Error)?
    }

    /// The file as given on the command line.
    var file: String
    /// The links, depth first in name order.
    var entries: [Entry] = []
    /// Why the file could not be read at all.
    var failure: (any Error)?

    /// Every failure in the report, file level first.
    var failures: [any Error] { (failure.map { [$0] } ?? []) + entries.compactMap(\.failure) }

    /// A report of an input that could not be opened at all.
    init(file: String, failure: any Error) {
        self.file = file
        self.failure = failure
    }

    /// Inspects `path`; failures are recorded, never thrown. With `streamLimit`, datasets larger than
    /// that many bytes as Float32 get no statistics (not streamed).
    init(file path: String, statistics: Bool, batchBytes: Int, streamLimit: Int? = nil) {
        file = path
        do {
            let opened = try File(path)
            for link in try opened.walk() {
                entries.append(
                    Self.entry(
                        link, in: opened, statistics: statistics, batchBytes: batchBytes, streamLimit: streamLimit))
            }
        } catch {
            failure = error
        }
    }

    private static func entry(
        _ link: ObjectEntry, in file: borrowing File, statistics: Bool, batchBytes: Int, streamLimit: Int?
    ) -> Entry {
        switch link.kind {
        case .group, .namedDatatype, .other:
            return Entry(path: link.path, kind: link.kind == .group ? .group : .other)
        case .externalLink:
            return Entry(path: link.path, kind: .externalLink)
        case .softLink(let target):
            let resolves = (try? file.contains(link.path)) ?? false
            return Entry(path: link.path, kind: .softLink(target: target, resolves: resolves))
        case .dataset:
            var entry = Entry(path: link.path, kind: .other)
            do {
                let info = try file.openDataset(link.path).info()
                entry.kind = .dataset(info)
                let bytes = info.shape.reduce(MemoryLayout<Float>.stride) {
                    $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1
                }
                if statistics, info.elementType.numeric != nil, bytes <= streamLimit ?? .max {
                    entry.statistics = try stream(file.filePath, link.path, batchBytes: batchBytes)
                }
            } catch {
                entry.failure = error
            }
            return entry
        }
    }

    /// Streams a dataset once through the fused statistics kernel.
    private static func stream(_ file: String, _ dataset: String, batchBytes: Int) throws -> TensorStatistics {
        let source = try TensorSource(file: file, dataset: dataset, batch: .bytes(batchBytes))
        var statistics = TensorStatistics()
        try source.forEachBatch { batch in statistics.accumulate(batch.values) }
        return statistics
    }
}
