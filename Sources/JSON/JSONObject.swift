/// The members of a JSON object, in insertion order, with unique keys.
///
/// Equality and hashing ignore the order (RFC 8259 objects are unordered); the order only shows in
/// ``JSONValue/rendered(indent:)`` and in encoders that do not sort keys. A decoded object lists its keys
/// sorted (decoders report them in no defined order), so decoding is deterministic.
public struct JSONObject: Sendable, Hashable, Codable, Sequence, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral
{
    /// The members in order.
    public private(set) var members: [(key: String, value: JSONValue)] = []

    /// An empty object.
    public init() {}

    /// The members of `pairs`, in order; a repeated key keeps its first place and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The members of `dictionary`, keys sorted.
    public init(_ dictionary: [String: JSONValue]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The members of the literal, in its order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The members of the literal of `(key, value)` pairs, in its order (for documents whose key order
    /// is part of their format, such as `--json` output).
    public init(arrayLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }
    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }
    /// The number of members.
    public var count: Int { members.count }
    /// The members as a dictionary (order dropped).
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The value of `key`; setting replaces it in place or appends it, setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let i?, let value?): members[i].value = value
            case (let i?, nil): members.remove(at: i)
            case (nil, let value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }

    /// Same keys with equal values, in any order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.dictionary == b.dictionary }

    /// Hashes the members in key order (consistent with `==`).
    public func hash(into hasher: inout Hasher) {
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes a keyed container, keys sorted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: MemberKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            self[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
    }

    /// Encodes the members in order.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: MemberKey.self)
        for (key, value) in members { try container.encode(value, forKey: MemberKey(stringValue: key)) }
    }
}
