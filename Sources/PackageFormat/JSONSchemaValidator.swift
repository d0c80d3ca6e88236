public import Foundation
public import JSON

/// Validates JSON documents against a JSON Schema, for the subset of keywords PTQKit's schemas use:
/// `type`, `enum`, `required`, `properties`, `additionalProperties` (boolean or schema), `items`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `minLength`, `pattern`, and `$ref` to `#/$defs/<name>`.
/// The annotations `$schema`, `$id`, `title` and `description` are ignored. Any other keyword is
/// reported as an error of the schema itself, so a schema can never silently check less than it says.
public struct JSONSchemaValidator: Sendable {
    /// The schema document.
    public let schema: JSONValue

    /// One violation: the JSON pointer of the offending value and what is wrong with it.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// JSON pointer of the value (`/layers/0/tensors/1/bits`), `""` for the document.
        public var pointer: String
        /// What is wrong.
        public var message: String
        /// `pointer: message`.
        public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message)" }
    }

    /// Keywords the validator checks.
    static let checked: Set<String> = [
        "type", "enum", "required", "properties", "additionalProperties", "items", "minimum", "maximum",
        "exclusiveMinimum", "minLength", "pattern", "$ref",
    ]
    /// Keywords that only annotate.
    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]

    /// A validator for `schema`.
    public init(schema: JSONValue) {
        self.schema = schema
    }

    /// A validator for the schema in `data` (JSON text).
    public init(schemaJSON data: Data) throws {
        self.init(schema: try JSONDecoder().decode(JSONValue.self, from: data))
    }

    /// Every violation of the schema by `document` (empty when it is valid).
    public func violations(of document: JSONValue) -> [Violation] {
        var found: [Violation] = []
        check(document, against: schema, at: "", into: &found)
        return found
    }

    /// Every violation of the schema by the JSON text `data`, or one violation if it is not JSON.
    public func violations(ofJSON data: Data) -> [Violation] {
        do {
            return violations(of: try JSONDecoder().decode(JSONValue.self, from: data))
        } catch {
            return [Violation(pointer: "", message: "not valid JSON: \(error)")]
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, at pointer: String, into found: inout [Violation])
    {
        guard case .object(let keywords) = schema else {
            if case .bool(false) = schema {
                found.append(Violation(pointer: pointer, message: "no value is allowed here"))
            }
            return
        }
        func fail(_ message: String) { found.append(Violation(pointer: pointer, message: message)) }
        for key in keywords.keys.sorted() where !Self.checked.contains(key) && !Self.annotations.contains(key) {
            fail("schema error: unsupported keyword '\(key)'")
        }
        if case .string(let reference)? = keywords["$ref"] {
            guard let target = resolve(reference) else {
                return fail("schema error: cannot resolve $ref '\(reference)'")
            }
            check(value, against: target, at: pointer, into: &found)
        }
        if let type = keywords["type"] {
            let allowed: [String] =
                switch type {
                case .string(let name): [name]
                case .array(let names): names.compactMap { if case .string(let n) = $0 { n } else { nil } }
                default: []
                }
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                return fail("expected \(allowed.joined(separator: " or ")), found \(Self.typeName(value))")
            }
        }
        if case .array(let options)? = keywords["enum"], !options.contains(where: { Self.equal($0, value) }) {
            fail("\(value) is not one of \(options.map(\.description).joined(separator: ", "))")
        }
        if let number = Self.number(value) {
            if let minimum = keywords["minimum"].flatMap(Self.number), number < minimum {
                fail("\(value) is below the minimum \(minimum)")
            }
            if let maximum = keywords["maximum"].flatMap(Self.number), number > maximum {
                fail("\(value) is above the maximum \(maximum)")
            }
            if let bound = keywords["exclusiveMinimum"].flatMap(Self.number), number <= bound {
                fail("\(value) must be greater than \(bound)")
            }
        }
        if case .string(let text) = value {
            if case .int(let length)? = keywords["minLength"], text.count < length {
                fail("string shorter than \(length)")
            }
            if case .string(let pattern)? = keywords["pattern"] {
                if let regex = try? NSRegularExpression(pattern: pattern) {
                    let range = NSRange(text.startIndex..., in: text)
                    if regex.firstMatch(in: text, range: range) == nil { fail("'\(text)' does not match \(pattern)") }
                } else {
                    fail("schema error: invalid pattern \(pattern)")
                }
            }
        }
        if case .array(let elements) = value, let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                check(element, against: items, at: "\(pointer)/\(index)", into: &found)
            }
        }
        if case .object(let members) = value {
            if case .array(let required)? = keywords["required"] {
                for case .string(let name) in required where members[name] == nil {
                    fail("missing required key '\(name)'")
                }
            }
            let properties: JSONObject = if case .object(let p)? = keywords["properties"] { p } else { [:] }
            for name in members.keys.sorted() {
                let child = "\(pointer)/\(Self.escape(name))"
                guard let member = members[name] else { continue }
                if let subschema = properties[name] {
                    check(member, against: subschema, at: child, into: &found)
                } else if let additional = keywords["additionalProperties"] {
                    if case .bool(false) = additional {
                        found.append(Violation(pointer: child, message: "unknown key '\(name)'"))
                    } else {
                        check(member, against: additional, at: child, into: &found)
                    }
                }
            }
        }
    }

    /// The subschema a local reference `#/$defs/<name>` names.
    private func resolve(_ reference: String) -> JSONValue? {
        let prefix = "#/$defs/"
        guard reference.hasPrefix(prefix), case .object(let root) = schema, case .object(let defs)? = root["$defs"]
        else {
            return nil
        }
        return defs[String(reference.dropFirst(prefix.count))]
    }

    /// Whether `value` is of JSON Schema type `type` (an integer also counts as a number; a number with
    /// no fraction counts as an integer).
    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case ("integer", .double(let x)): x.rounded() == x && x.isFinite
        default: false
        }
    }

    /// The JSON Schema type name of `value`.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The numeric value of a number, `nil` for other values.
    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let x): Double(x)
        case .double(let x): x
        default: nil
        }
    }

    /// JSON equality (1 equals 1.0).
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }

    /// A key escaped for a JSON pointer (`~` → `~0`, `/` → `~1`).
    static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
