public import Foundation

extension JSONValue {
    /// The JSON value of `value`'s `Codable` encoding (encoded with sorted keys, so objects list their
    /// keys sorted).
    /// - Throws: the encoder's or decoder's error for a value that does not encode as JSON.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value))
    }

    /// A value of type `T` decoded from this JSON value.
    /// - Throws: `DecodingError` when the value does not have `T`'s shape.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}
