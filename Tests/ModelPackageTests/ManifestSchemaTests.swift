import Foundation
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

struct ManifestSchemaTests {
    /// The committed `docs/manifest.schema.json` is the embedded schema, byte for byte.
    @Test func committedSchemaIsTheEmbeddedOne() throws {
        let url = TestPaths.inRepository("docs/manifest.schema.json")
        #expect(try String(contentsOf: url, encoding: .utf8) == ManifestSchema.text)
    }

    @Test func schemaUsesOnlyCheckedKeywords() {
        // An empty object violates "required"; a schema error would show up as "schema error: ...".
        let violations = ManifestSchema.violations(ofJSON: Data("{}".utf8))
        #expect(!violations.isEmpty)
        #expect(!violations.contains { $0.message.hasPrefix("schema error") })
    }

    @Test func writtenManifestValidates() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(path)/manifest.json"))
        #expect(ManifestSchema.violations(ofJSON: data) == [])
    }

    /// Each mutation of a valid manifest is caught at the right pointer.
    @Test(arguments: [
        ("format_version", "4", "/format_version"),
        ("inputs", #"[{"role": "weights", "path": "w.h5", "size": 1, "sha256": "XYZ"}]"#, "/inputs/0/sha256"),
        (
            "inputs",
            #"[{"role": "other", "path": "w.h5", "size": 1, "sha256": "\#(String(repeating: "0", count: 64))"}]"#,
            "/inputs/0/role"
        ),
        ("layers", #"[{"name": "x", "tensors": [], "extra": 1}]"#, "/layers/0/extra"),
        ("layers", #"[{"name": "x", "tensors": "no"}]"#, "/layers/0/tensors"),
        ("layers", #"[{"tensors": []}]"#, "/layers/0"),
        ("config", "[]", "/config"),
    ])
    func mutationsAreCaught(key: String, replacement: String, pointer: String) throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(path)/manifest.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object[key] = try JSONSerialization.jsonObject(with: Data(replacement.utf8), options: .fragmentsAllowed)
        let mutated = try JSONSerialization.data(withJSONObject: object)
        let violations = ManifestSchema.violations(ofJSON: mutated)
        #expect(violations.contains { $0.pointer == pointer }, "\(violations)")
    }

    @Test func validatorChecksEveryKeyword() throws {
        let schema = #"""
            {"type": "object", "required": ["a"],
             "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 3},
             "properties": {"a": {"type": ["string", "null"], "minLength": 2, "pattern": "^x"},
                            "b": {"type": "array", "items": {"enum": [1, "two"]}},
                            "c": {"type": "number", "exclusiveMinimum": 0}}}
            """#
        let validator = try JSONSchemaValidator(schemaJSON: Data(schema.utf8))
        func pointers(_ json: String) -> [String] { validator.violations(ofJSON: Data(json.utf8)).map(\.pointer) }
        #expect(pointers(#"{"a": "xy", "b": [1, "two"], "c": 0.5, "d": 2}"#) == [])
        #expect(pointers(#"{"a": null}"#) == [])
        #expect(pointers(#"{"b": []}"#) == [""])
        #expect(pointers(#"{"a": "x"}"#) == ["/a"])
        #expect(pointers(#"{"a": "yy"}"#) == ["/a"])
        #expect(pointers(#"{"a": 3}"#) == ["/a"])
        #expect(pointers(#"{"a": "xx", "b": [2]}"#) == ["/b/0"])
        #expect(pointers(#"{"a": "xx", "c": 0}"#) == ["/c"])
        #expect(pointers(#"{"a": "xx", "d": 4, "e": 1.5}"#) == ["/d", "/e"])
        let bad = try JSONSchemaValidator(schemaJSON: Data(#"{"oneOf": []}"#.utf8))
        #expect(bad.violations(ofJSON: Data("1".utf8)).map(\.message) == ["schema error: unsupported keyword 'oneOf'"])
    }
}
