import Foundation
import HDF5
import TensorIO
import TestSupport
import Testing

/// Writes `files` activation files with a chunked dataset `/a` (rows vary per file, 4-row chunks)
/// and a contiguous dataset `/b`, values numbering the rows so any mix-up shows.
private func writeInputs(in directory: URL, rows: [Int]) throws -> [String] {
    var paths: [String] = []
    for (index, count) in rows.enumerated() {
        let path = directory.appendingPathComponent("part-\(index).h5").path
        let file = try File(path, mode: .truncate)
        let a = try file.createDataset(
            "/a", type: .float32, shape: [count, 3], options: DatasetOptions(chunkShape: [4, 3]))
        try a.write((0..<(count * 3)).map { Float(index * 10_000 + $0) })
        let b = try file.createDataset("/b", type: .float32, shape: [count + 1, 2])
        try b.write((0..<((count + 1) * 2)).map { -Float(index * 10_000 + $0) })
        paths.append(path)
    }
    return paths
}

/// Every value of `dataset` delivered by `source`, in order.
private func values(_ source: TensorSource) throws -> [Float] {
    var all: [Float] = []
    try source.forEachBatch { all += Array($0.values) }
    return all
}

@Suite("ShardSpec")
struct ShardSpecTests {
    @Test(arguments: [("0/1", 0, 1), ("0/4", 0, 4), ("3/4", 3, 4), ("6/7", 6, 7)])
    func parses(text: String, index: Int, count: Int) throws {
        let spec = try ShardSpec(parsing: text)
        #expect(spec.index == index && spec.count == count)
        #expect(spec.description == text)
    }

    @Test(arguments: ["4/4", "-1/2", "1/0", "a/b", "1", "1/2/3", ""])
    func rejects(text: String) {
        #expect(throws: ShardPlanError.self) { try ShardSpec(parsing: text) }
    }
}

@Suite("ShardPlan")
struct ShardPlanTests {
    @Test(arguments: [1, 2, 3, 7, 40])
    func shardsPartitionEveryRowInWholeUnits(count: Int) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeInputs(in: directory, rows: [13, 0, 25, 4])
        let plan = try ShardPlan(files: files, datasets: ["/a", "/b"], shardCount: count)
        let shuffled = try ShardPlan(files: files.reversed(), datasets: ["/a", "/b"], shardCount: count)
        #expect(plan == shuffled)
        #expect(plan.files.map(\.path) == files.sorted())

        let assignments = plan.assignments
        #expect(assignments.count == count)
        var covered: [String: [Range<Int>]] = [:]
        var bytes: [Int] = []
        for segments in assignments {
            var shardBytes = 0
            for segment in segments {
                let extent = try #require(
                    plan.files.first { $0.path == segment.file }?.extents.first { $0.dataset == segment.dataset })
                #expect(segment.rows.lowerBound % extent.unitRows == 0)
                #expect(!segment.rows.isEmpty)
                covered["\(segment.file)\(segment.dataset)", default: []].append(segment.rows)
                shardBytes += segment.rows.count * extent.rowBytes
            }
            bytes.append(shardBytes)
        }
        for file in plan.files {
            for extent in file.extents {
                let ranges = (covered["\(file.path)\(extent.dataset)"] ?? []).sorted { $0.lowerBound < $1.lowerBound }
                var next = 0
                for range in ranges {
                    #expect(range.lowerBound == next, "\(file.path)\(extent.dataset): gap or overlap at \(next)")
                    next = range.upperBound
                }
                #expect(next == extent.rows)
            }
        }
        // balanced to within one unit of W/N
        let total = bytes.reduce(0, +)
        let largestUnit = plan.files.flatMap(\.extents).map { $0.unitRows * $0.rowBytes }.max() ?? 0
        for b in bytes { #expect(b <= total / count + largestUnit) }
        #expect(plan.owners.count == files.count)
        #expect(plan.owners.allSatisfy { (0..<count).contains($0) })
    }

    @Test(arguments: [1, 2, 3, 7])
    func shardSourcesTogetherDeliverTheWholeDataset(count: Int) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeInputs(in: directory, rows: [13, 25, 9])
        let plan = try ShardPlan(files: files, datasets: ["/a", "/b"], shardCount: count)
        for dataset in ["/a", "/b"] {
            var joined: [Float] = []
            for segments in plan.assignments {
                let mine = segments.filter { $0.dataset == dataset }
                guard !mine.isEmpty else { continue }
                let source = try TensorSource(
                    segments: mine.map { ($0.file, $0.rows) }, dataset: dataset, batch: .rows(5))
                #expect(source.rowCount == mine.reduce(0) { $0 + $1.rows.count })
                // chunk-aligned batches (raw chunk path for /a) give the same values
                let aligned = try TensorSource(
                    segments: mine.map { ($0.file, $0.rows) }, dataset: dataset, batch: .rows(4))
                let part = try values(source)
                #expect(try values(aligned) == part)
                joined += part
            }
            #expect(joined == (try values(TensorSource(files: files.sorted(), dataset: dataset, batch: .rows(7)))))
        }
    }

    @Test func duplicateFilesAndBadRangesAreRejected() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeInputs(in: directory, rows: [8])
        #expect(throws: ShardPlanError.self) { try ShardPlan(files: files + files, datasets: ["/a"], shardCount: 2) }
        #expect(throws: ShardPlanError.self) { try ShardPlan(files: files, datasets: ["/a"], shardCount: 0) }
        #expect(throws: TensorIOError.self) { try TensorSource(segments: [(files[0], 4..<9)], dataset: "/a") }
    }
}
