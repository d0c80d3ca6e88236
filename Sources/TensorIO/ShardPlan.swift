import HDF5

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A deterministic split of activation inputs into `N` shards, by file and by row ranges inside
/// large datasets, so that `N` processes can each observe one shard and merge the results.
///
/// The rule (``rule`` 1):
/// 1. Files are sorted by path (byte order), so the plan does not depend on the order they were
///    given in; datasets are taken in the order given (the calibrator's order).
/// 2. Each (file, dataset) is cut into **units** of whole chunks (`chunkRows` rows; for contiguous
///    datasets as many rows as fit in ``contiguousUnitBytes`` of Float32); the last unit may be short.
/// 3. Units are laid end to end, file-major (file, then dataset, then rows), weighted by their
///    Float32 bytes `w`; with `W` the total and `s` the bytes before a unit, the unit goes to shard
///    `min(N − 1, ⌊s·N / W⌋)`. Each shard therefore gets a contiguous run of about `W/N` bytes, and
///    adjacent units of one (file, dataset) in the same shard form one ``Segment``.
/// 4. Each file is fingerprinted (hashed whole) by exactly one shard, its entry in ``owners``: the
///    shard of its first unit, or `fileIndex mod N` when it has none.
///
/// The plan depends only on the sorted paths, the file sizes, the dataset order and each dataset's
/// rows, chunking and row width; two processes given the same inputs in any order compute equal plans.
public struct ShardPlan: Sendable, Hashable, Codable {
    /// The version of the planning rule; another rule would give shards other rows.
    public static let currentRule = 1
    /// Unit size for datasets that are not chunked: this many bytes of Float32 rows (at least one row).
    public static let contiguousUnitBytes = 4 << 20

    /// One input file.
    public struct PlannedFile: Sendable, Hashable, Codable {
        /// Path as given.
        public var path: String
        /// Size in bytes when planned.
        public var size: Int
        /// The planned datasets in this file, in the plan's dataset order.
        public var extents: [Extent]
    }

    /// One dataset within one file.
    public struct Extent: Sendable, Hashable, Codable {
        /// Dataset path.
        public var dataset: String
        /// Rows in this file.
        public var rows: Int
        /// Rows per unit (the chunk rows, or the contiguous unit's rows).
        public var unitRows: Int
        /// Bytes of one row as Float32.
        public var rowBytes: Int
    }

    /// A row range of one dataset in one file.
    public struct Segment: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Path of the file.
        public var file: String
        /// Dataset path.
        public var dataset: String
        /// Rows of the dataset in the file, `[lower, upper)`.
        public var rows: Range<Int>

        /// Creates a segment.
        public init(file: String, dataset: String, rows: Range<Int>) {
            self.file = file
            self.dataset = dataset
            self.rows = rows
        }

        /// `file:dataset[lower..<upper]`.
        public var description: String { "\(file):\(dataset)[\(rows.lowerBound)..<\(rows.upperBound)]" }
    }

    /// The planning rule used (``currentRule``).
    public var rule: Int
    /// How many shards.
    public var shardCount: Int
    /// The datasets, in the order given.
    public var datasets: [String]
    /// The files, sorted by path.
    public var files: [PlannedFile]

    /// Plans `shardCount` shards over `datasets` in `files`, reading each file's metadata (size,
    /// rows, chunking); no data is read.
    ///
    /// - Throws: ``ShardPlanError`` for a file given twice, an invalid count, or an unreadable input.
    public init(files: [String], datasets: [String], shardCount: Int) throws(ShardPlanError) {
        _ = try ShardSpec(index: 0, count: shardCount)
        let sorted = files.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a == b { throw .duplicateFile(a) }
        var planned: [PlannedFile] = []
        for path in sorted {
            let extents = try Self.extents(of: datasets, in: path)
            planned.append(PlannedFile(path: path, size: try Self.size(of: path), extents: extents))
        }
        self.init(rule: Self.currentRule, shardCount: shardCount, datasets: datasets, files: planned)
    }

    /// Decodes a plan (from a statistics file) and checks its shard count like ``ShardSpec``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let shardCount = try c.decode(Int.self, forKey: .shardCount)
        _ = try ShardSpec(index: 0, count: shardCount)
        self.init(
            rule: try c.decode(Int.self, forKey: .rule), shardCount: shardCount,
            datasets: try c.decode([String].self, forKey: .datasets),
            files: try c.decode([PlannedFile].self, forKey: .files))
    }

    private enum CodingKeys: String, CodingKey {
        case rule, shardCount, datasets, files
    }

    /// A plan from already-known file layouts (files must be sorted by path).
    public init(rule: Int = ShardPlan.currentRule, shardCount: Int, datasets: [String], files: [PlannedFile]) {
        self.rule = rule
        self.shardCount = shardCount
        self.datasets = datasets
        self.files = files
    }

    /// The segments of every shard: element `k` lists shard `k`'s segments in plan order
    /// (file-major); a shard may be empty when there are fewer units than shards. One array per shard:
    /// for tests and tools; ``segments(of:)`` and ``segments(ofShards:)`` allocate only what they return.
    public var assignments: [[Segment]] {
        var result = Array(repeating: [Segment](), count: shardCount)
        for (shard, segment) in shardSegments(where: { _ in true }) { result[shard].append(segment) }
        return result
    }

    /// The segments of shard `shard`, in plan order.
    public func segments(of shard: ShardSpec) -> [Segment] {
        shardSegments { $0 == shard.index }.map(\.segment)
    }

    /// The segments of the shards in `shards`, in plan order (shard after shard, since units are assigned
    /// in non-decreasing shard order): what a merge of those shards covers.
    public func segments(ofShards shards: Set<Int>) -> [Segment] {
        shardSegments { shards.contains($0) }.map(\.segment)
    }

    /// The segments of the shards for which `included(shard)` holds, each with its shard, in plan order:
    /// adjacent units of one (file, dataset) in the same shard joined into one segment.
    private func shardSegments(where included: (Int) -> Bool) -> [(shard: Int, segment: Segment)] {
        var result: [(shard: Int, segment: Segment)] = []
        forEachUnit { shard, _, file, extent, rows in
            guard included(shard) else { return }
            if let last = result.last, last.shard == shard, last.segment.file == file.path,
                last.segment.dataset == extent.dataset, last.segment.rows.upperBound == rows.lowerBound
            {
                result[result.count - 1].segment.rows = last.segment.rows.lowerBound..<rows.upperBound
            } else {
                result.append((shard, Segment(file: file.path, dataset: extent.dataset, rows: rows)))
            }
        }
        return result
    }

    /// The shard that fingerprints each file (element `i` for ``files``[i]): the shard of the file's
    /// first unit, or `i mod N` when it has no rows.
    public var owners: [Int] {
        var owners: [Int?] = Array(repeating: nil, count: files.count)
        forEachUnit { shard, fileIndex, _, _, _ in
            if owners[fileIndex] == nil { owners[fileIndex] = shard }
        }
        return owners.enumerated().map { $0.element ?? $0.offset % Swift.max(shardCount, 1) }
    }

    /// Calls `body(shard, fileIndex, file, extent, rows)` for every unit in plan order.
    private func forEachUnit(_ body: (Int, Int, PlannedFile, Extent, Range<Int>) -> Void) {
        let total = files.reduce(0) { $0 + $1.extents.reduce(0) { $0 + $1.rows * $1.rowBytes } }
        var before = 0
        for (fileIndex, file) in files.enumerated() {
            for extent in file.extents {
                let step = Swift.max(extent.unitRows, 1)
                var start = 0
                while start < extent.rows {
                    let end = Swift.min(start + step, extent.rows)
                    // shard = min(N − 1, ⌊s·N / W⌋), s = bytes before this unit
                    let shard =
                        total > 0
                        ? Swift.min(
                            shardCount - 1, total.dividingFullWidth(before.multipliedFullWidth(by: shardCount)).quotient
                        ) : 0
                    body(shard, fileIndex, file, extent, start..<end)
                    before += (end - start) * extent.rowBytes
                    start = end
                }
            }
        }
    }

    /// Rows per unit of a dataset (rule step 2): its chunk rows, or for a contiguous dataset as many rows of
    /// `rowBytes` as fit in ``contiguousUnitBytes`` (at least one). Shard boundaries fall on unit boundaries.
    public static func unitRows(chunkRows: Int?, rowBytes: Int) -> Int {
        chunkRows ?? Swift.max(1, contiguousUnitBytes / Swift.max(rowBytes, 1))
    }

    /// Rows, unit rows and row bytes of each dataset in the file at `path`.
    static func extents(of datasets: [String], in path: String) throws(ShardPlanError) -> [Extent] {
        do {
            return try hdf5 { () throws(HDF5Error) -> [Extent] in
                let file = try File(path)
                var extents: [Extent] = []
                for name in datasets {
                    let dataset = try file.openDataset(name)
                    let rowBytes = dataset.rowElementCount * MemoryLayout<Float>.stride
                    let unitRows = Self.unitRows(chunkRows: try dataset.info().chunkShape?.first, rowBytes: rowBytes)
                    extents.append(
                        Extent(dataset: name, rows: dataset.rowCount, unitRows: unitRows, rowBytes: rowBytes))
                }
                return extents
            }
        } catch {
            throw .input(error)
        }
    }

    /// The size in bytes of the file at `path` (`stat`).
    static func size(of path: String) throws(ShardPlanError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .input(
                .hdf5(
                    HDF5Error(
                        kind: .fileNotFound, file: path, object: nil, operation: "stat", cause: "cannot stat the file"))
            )
        }
        return Int(info.st_size)
    }
}
