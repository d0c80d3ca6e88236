import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct HDF5ContainerTests {
    @Test func walkListsEveryLinkInNameOrderLikeH5py() throws {
        let file = try File(Fixtures.file)
        let entries = try file.walk()
        let expected = Fixtures.expected.tree.map { entry -> ObjectEntry in
            let kind: ObjectEntry.Kind =
                switch entry.kind {
                case "group": .group
                case "dataset": .dataset
                default: .softLink(target: entry.target ?? "")
                }
            return ObjectEntry(path: entry.path, kind: kind)
        }
        #expect(entries == expected)
        #expect(entries.contains(ObjectEntry(path: "/model_weights/dense/dense/kernel:0", kind: .dataset)))
        #expect(entries.contains(ObjectEntry(path: "/with.dots/weights.v1.2", kind: .dataset)))
    }

    @Test func walkOfAGroupGivesAbsolutePaths() throws {
        let file = try File(Fixtures.file)
        let group = try file.openGroup("model_weights/dense")
        #expect(
            try group.walk().map(\.path) == [
                "/model_weights/dense/dense", "/model_weights/dense/dense/bias:0",
                "/model_weights/dense/dense/kernel:0",
            ])
        let dataset = try group.openDataset("dense/kernel:0")
        #expect(dataset.objectPath == "/model_weights/dense/dense/kernel:0")
    }

    @Test func softLinkOpensItsTarget() throws {
        let file = try File(Fixtures.file)
        let viaLink: [Float] = try file.openDataset("link_to_values").read()
        let direct: [Float] = try file.openDataset("/nested/a/b/c/values").read()
        #expect(viaLink == direct)
    }

    @Test(arguments: ["/missing", "/nested/a/missing/values", "dangling", "/nested/a/b/c/values/below"])
    func missingObjectIsObjectNotFound(path: String) throws {
        let file = try File(Fixtures.file)
        #expect(try !file.contains(path))
        let error = #expect(throws: HDF5Error.self) { _ = try file.openDataset(path) }
        #expect(error?.kind == .objectNotFound)
        #expect(error?.file == Fixtures.file)
        #expect(error?.object == (path.hasPrefix("/") ? path : "/" + path))
    }

    @Test func groupIsNotADataset() throws {
        let file = try File(Fixtures.file)
        let error = #expect(throws: HDF5Error.self) { _ = try file.openDataset("/nested") }
        #expect(error?.kind == .wrongObjectType(expected: "dataset", found: "group"))
        #expect(throws: HDF5Error.self) { _ = try file.openGroup("/scalar") }
    }

    @Test func createdTreeWalksBack() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tree.h5").path
        do {
            let file = try File(path, mode: .truncate)
            _ = try file.createDataset("layer.1/dense/kernel:0", type: .float32, shape: [2, 2])
            let group = try file.createGroup("empty")
            _ = try group.createGroup("inner")
            try file.createSoftLink("alias", to: "/layer.1/dense/kernel:0")
        }
        let file = try File(path)
        #expect(
            try file.walk() == [
                ObjectEntry(path: "/alias", kind: .softLink(target: "/layer.1/dense/kernel:0")),
                ObjectEntry(path: "/empty", kind: .group),
                ObjectEntry(path: "/empty/inner", kind: .group),
                ObjectEntry(path: "/layer.1", kind: .group),
                ObjectEntry(path: "/layer.1/dense", kind: .group),
                ObjectEntry(path: "/layer.1/dense/kernel:0", kind: .dataset),
            ])
    }
}
