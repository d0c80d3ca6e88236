import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct AttributeTests {
    @Test func h5pyAttributesDecode() throws {
        let file = try File(Fixtures.file)
        let dataset = try file.openDataset("/nested/a/b/c/values")
        #expect(try dataset.attributeNames() == Fixtures.expected.attributes.keys.sorted())
        for (name, spec) in Fixtures.expected.attributes {
            let value = try dataset.attribute(name)
            let expected: AttributeValue =
                switch (spec.kind, spec.value) {
                case ("string", .string(let text)): .string(text)
                case ("strings", .strings(let texts)): .strings(texts)
                case ("integer", .number(let number)): .integer(Int64(number.double))
                case ("float", .number(let number)): .float(number.double)
                case ("integers", .numbers(let numbers)): .integers(numbers.map { Int64($0.double) })
                case ("floats", .numbers(let numbers)): .floats(numbers.map(\.double))
                default: .string("unexpected fixture entry \(spec.kind)")
                }
            #expect(value == expected, "\(name)")
        }
        for (name, text) in Fixtures.expected.root_attributes {
            #expect(try file.attribute(name) == .string(text))
        }
        #expect(try file.openGroup("model_weights").attribute("layer_names") == .strings(["dense", "dense_1"]))
        #expect(try dataset.attribute("scale", as: Float.self) == [0.125])
    }

    @Test func missingAttributeIsObjectNotFound() throws {
        let dataset = try File(Fixtures.file).openDataset("/nested/a/b/c/values")
        let error = #expect(throws: HDF5Error.self) { _ = try dataset.attribute("nope") }
        #expect(error?.kind == .objectNotFound)
        #expect(error?.object == "/nested/a/b/c/values@nope")
    }

    @Test(arguments: [
        AttributeValue.string("héllo, quantized world"), .strings(["a", "", "ünï"]), .integer(-42),
        .integers([1, -2, Int64.max]), .float(0.1), .floats([1.5, -0.0, .infinity]), .strings([]),
    ])
    func valuesRoundTripOnEveryObjectKind(value: AttributeValue) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("attrs.h5").path
        do {
            let file = try File(path, mode: .truncate)
            try file.setAttribute("v", .string("replaced below"))
            try file.setAttribute("v", value)
            try file.createGroup("g").setAttribute("v", value)
            try file.createDataset("d", type: .float32, shape: [1]).setAttribute("v", value)
        }
        let file = try File(path)
        #expect(try file.attribute("v") == value)
        #expect(try file.openGroup("g").attribute("v") == value)
        #expect(try file.openDataset("d").attribute("v") == value)
    }

    @Test func typedNumericAttributesKeepTheirType() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("typed.h5").path
        do {
            let file = try File(path, mode: .truncate)
            try file.setAttribute("scales", values: [Float(0.5), 0.25, 0.125, 1], shape: [2, 2])
            try file.setAttribute("zero_point", values: [Int8(-3)], shape: [])
        }
        let file = try File(path)
        #expect(try file.attribute("scales", as: Float.self) == [0.5, 0.25, 0.125, 1])
        #expect(try file.attribute("scales") == .floats([0.5, 0.25, 0.125, 1]))
        #expect(try file.attribute("zero_point") == .integer(-3))
        #expect(throws: HDF5Error.self) { try file.setAttribute("bad", values: [Float(1)], shape: [2]) }
    }
}
