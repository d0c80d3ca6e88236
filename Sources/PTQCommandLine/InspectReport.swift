import Foundation
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
    /// that many bytes as Float32 get no statistics (not streamed). With `indexedOnly` (the crash probe),
    /// a dataset whose every stored byte its chunk index places within the file
    /// (``Dataset/storageLiesInFile(fileBytes:)``) is not streamed: a few of its rows are read through
    /// libhdf5 (``sampleRead(_:)``) and it gets no statistics; every other numeric dataset is streamed.
    init(file path: String, statistics: Bool, batchBytes: Int, streamLimit: Int? = nil, indexedOnly: Bool = false) {
        file = path
        do {
            let opened = try File(path)
            let fileBytes = indexedOnly ? (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) : nil
            for link in try opened.walk() {
                entries.append(
                    Self.entry(
                        link, in: opened, statistics: statistics, batchBytes: batchBytes, streamLimit: streamLimit,
                        indexedWithin: fileBytes))
            }
        } catch {
            failure = error
        }
    }

    private static func entry(
        _ link: ObjectEntry, in file: borrowing File, statistics: Bool, batchBytes: Int, streamLimit: Int?,
        indexedWithin fileBytes: Int?
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
                let dataset = try file.openDataset(link.path)
                let info = try dataset.info()
                entry.kind = .dataset(info)
                if let fileBytes, info.elementType.numeric != nil, try dataset.storageLiesInFile(fileBytes: fileBytes) {
                    try sampleRead(dataset)
                    return entry
                }
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

    /// Reads the first two rows and the last row of `dataset` through libhdf5's own read (`H5Dread` of a
    /// hyperslab, across the first chunk boundary when chunks hold one row), so a damaged layout that makes
    /// that read crash does so here, in the probe.
    static func sampleRead(_ dataset: borrowing Dataset) throws {
        let rows = dataset.rowCount
        let width = dataset.rowElementCount
        guard rows > 0, width > 0 else { return }
        try dataset.checkAllocation(elements: 2 * width, of: Float.self, operation: "probe")
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * width)
        defer { buffer.deallocate() }
        try dataset.readRows(0..<min(rows, 2), into: buffer)
        try dataset.readRows((rows - 1)..<rows, into: buffer)
    }

    /// Streams a dataset once through the fused statistics kernel.
    private static func stream(_ file: String, _ dataset: String, batchBytes: Int) throws -> TensorStatistics {
        let source = try TensorSource(file: file, dataset: dataset, batch: .bytes(batchBytes))
        var statistics = TensorStatistics()
        try source.forEachBatch { batch in statistics.accumulate(batch.values) }
        return statistics
    }
}
