import Foundation
import Testing

/// `ptq inspect` run as a child process: exit codes, stderr, and the JSON report.
@Suite struct InspectTests {
    static let fixture = "Tests/Fixtures/hdf5/fixtures.h5"

    private func expected() throws -> [String: Any] {
        let url = PTQProcess.repository.appendingPathComponent("Tests/Fixtures/hdf5/expected.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func jsonTreeAndStatisticsMatchH5pyAndNumpy() throws {
        let result = try PTQProcess.run(["inspect", "--stats", "--json", Self.fixture])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let entries = try #require(try PTQProcess.entries(PTQProcess.json(result.stdout))[Self.fixture])
        let expected = try expected()
        let tree = try #require(expected["tree"] as? [[String: Any]])
        #expect(Set(entries.keys) == Set(tree.compactMap { $0["path"] as? String }))
        let datasets = try #require(expected["datasets"] as? [String: [String: Any]])
        for (path, spec) in datasets {
            let entry = try #require(entries[path], "\(path)")
            let dtype = try #require(spec["dtype"] as? [String: Any])
            #expect(entry["dtype"] as? String == dtype["name"] as? String, "\(path)")
            #expect(entry["byte_order"] as? String == dtype["byte_order"] as? String, "\(path)")
            #expect(entry["shape"] as? [Int] == spec["shape"] as? [Int], "\(path)")
            #expect(entry["chunks"] as? [Int] == spec["chunks"] as? [Int], "\(path)")
            let stats = try #require(entry["stats"] as? [String: Any], "\(path)")
            let reference = try #require(spec["stats"] as? [String: Any])
            for key in ["count", "finite_count", "nan_count", "posinf_count", "neginf_count"] {
                #expect(stats[key] as? Int == reference[key] as? Int, "\(path) \(key)")
            }
            for key in ["min", "max", "absmax", "zero_fraction"] {
                #expect(stats[key] as? Double == reference[key] as? Double, "\(path) \(key)")
            }
        }
        #expect(entries["/link_to_values"]?["target"] as? String == "/nested/a/b/c/values")
        #expect(entries["/dangling"]?["resolves"] as? Bool == false)
        #expect(entries["/unsupported/strings"]?["dtype"] as? String == "unsupported(string)")
        #expect(entries["/unsupported/strings"]?["stats"] is NSNull)
        #expect(entries["/chunked_gzip"]?["compression"] as? String == "gzip(4)")
    }

    @Test func jsonKeyOrderIsStable() throws {
        let result = try PTQProcess.run(["inspect", "--json", "--stats", Self.fixture])
        let keys = [
            "\"path\"", "\"kind\"", "\"dtype\"", "\"byte_order\"", "\"shape\"", "\"max_shape\"",
            "\"storage\"", "\"chunks\"", "\"filters\"", "\"compression\"", "\"bytes\"", "\"storage_bytes\"",
            "\"stats\"", "\"count\"", "\"finite_count\"", "\"min\"", "\"max\"", "\"mean\"", "\"std\"",
            "\"absmax\"", "\"zero_fraction\"", "\"nan_count\"", "\"posinf_count\"", "\"neginf_count\"",
        ]
        let block = try #require(result.stdout.range(of: "\"path\": \"/chunked_gzip\""))
        var cursor = block.lowerBound
        for key in keys {
            let found = try #require(result.stdout.range(of: key, range: cursor..<result.stdout.endIndex), "\(key)")
            cursor = found.upperBound
        }
        #expect(try PTQProcess.run(["inspect", "--json", "--stats", Self.fixture]).stdout == result.stdout)
    }

    @Test func textTreeListsDatasetsWithTheirLayout() throws {
        let result = try PTQProcess.run(["inspect", "--stats", Self.fixture])
        #expect(result.status == 0)
        #expect(result.stdout.contains("/model_weights/dense/dense/kernel:0"))
        #expect(result.stdout.contains("chunks [8, 6]  gzip(4)"))
        #expect(result.stdout.contains("float32 (big-endian)"))
        #expect(result.stdout.contains("nan 2  +inf 1  -inf 2"))
    }

    /// Bad inputs: each category has its own exit code, a one-line message naming the file on stderr,
    /// no HDF5 diagnostics and no crash.
    @Test(arguments: [
        (["inspect", "/nonexistent/missing.h5"], Int32(66), "missing.h5"),
        (["inspect", "README.md"], 65, "README.md"),
        (["inspect", "Tests/Fixtures/hdf5/newer_format.h5"], 65, "libver"),
        (["inspect", "Tests/Fixtures/hdf5/none_*.h5"], 66, "none_"),
        (["inspect"], 64, "at least one"),
        (["inspect", "--bogus", Self.fixture], 64, "bogus"),
        (["inspect", "--batch-bytes", "0", Self.fixture], 64, "batch-bytes"),
    ])
    func badInputsExitWithTheirCategory(arguments: [String], status: Int32, mention: String) throws {
        let result = try PTQProcess.run(arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(mention))
        #expect(!result.stderr.contains("HDF5-DIAG"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func truncatedAndEmptyFilesAreDataErrorsAndOtherFilesStillReport() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let whole = try Data(contentsOf: PTQProcess.repository.appendingPathComponent(Self.fixture))
        let truncated = scratch.appendingPathComponent("truncated.h5")
        let empty = scratch.appendingPathComponent("empty.h5")
        try whole.prefix(whole.count / 3).write(to: truncated)
        try Data().write(to: empty)
        for bad in [truncated, empty] {
            let result = try PTQProcess.run(["inspect", "--json", bad.path, Self.fixture])
            #expect(result.status == 65)
            #expect(result.stderr.contains(bad.lastPathComponent))
            #expect(!result.stderr.contains("HDF5-DIAG"))
            let json = try PTQProcess.json(result.stdout)
            let files = try #require(json["files"] as? [[String: Any]])
            let error = try #require(files.first?["error"] as? [String: Any])
            #expect(error["kind"] as? String == (bad == empty ? "notHDF5" : "corruptFile"))
            #expect(try PTQProcess.entries(json)[Self.fixture]?["/scalar"] != nil)
        }
    }
}
