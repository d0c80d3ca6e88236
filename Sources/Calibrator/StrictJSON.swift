internal import Foundation

/// The two things Foundation's JSON parser lets through in a configuration that RFC 8259 does not:
/// a key given twice in one object (Foundation keeps one value silently) and a trailing comma before
/// `}` or `]` (accepted). Both are refused with the key path and the line, as other config errors are.
///
/// This is a scan of the structure only (strings, brackets, commas, colons); anything else malformed is
/// left for the parser, which reports it with its own message.
enum StrictJSON {
    /// One open object or array.
    private struct Container {
        var path: [ConfigPathComponent]
        var isObject: Bool
        var keys: Set<String> = []
        /// The object's current key (after its string and before the next comma).
        var key: String?
        /// The array's current element index.
        var index = 0
    }

    /// Throws at the first duplicate key or trailing comma of `text`.
    ///
    /// - Throws: ``ConfigError/Reason/malformed(_:)`` with the key path (the duplicated key, or the
    ///   container holding the trailing comma), line and column.
    static func check(_ text: String) throws(ConfigError) {
        let bytes = Array(text.utf8)
        var stack: [Container] = []
        var line = 1
        var lineStart = 0
        var afterComma: (line: Int, column: Int)?
        var i = 0
        func column(_ offset: Int) -> Int { String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1 }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = i + 1
                i += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
                continue
            default:
                break
            }
            if let comma = afterComma, byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]"), let top = stack.last {
                throw ConfigError(
                    .malformed("trailing comma before '\(Character(Unicode.Scalar(byte)))'"), at: top.path,
                    line: comma.line, column: comma.column)
            }
            afterComma = nil
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let path = stack.last.map(Self.valuePath) ?? []
                stack.append(Container(path: path, isObject: byte == UInt8(ascii: "{")))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
                i += 1
            case UInt8(ascii: ","):
                afterComma = (line, column(i))
                if let top = stack.last, !top.isObject { stack[stack.count - 1].index += 1 }
                if let top = stack.last, top.isObject { stack[stack.count - 1].key = nil }
                i += 1
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < bytes.count else { return }  // unterminated: the parser reports it
                if let top = stack.last, top.isObject, top.key == nil {
                    let token = Data(bytes[i...end])
                    let decoded = try? JSONSerialization.jsonObject(with: token, options: .fragmentsAllowed)
                    guard let key = decoded as? String else { return }
                    if top.keys.contains(key) {
                        throw ConfigError(
                            .malformed("duplicate key '\(key)' (JSON objects must not repeat a key)"),
                            at: top.path + [.key(key)], line: line, column: column(i))
                    }
                    stack[stack.count - 1].keys.insert(key)
                    stack[stack.count - 1].key = key
                }
                i = end + 1
            default:
                i += 1
            }
        }
    }

    /// The path of the value being read inside `container`.
    private static func valuePath(_ container: Container) -> [ConfigPathComponent] {
        container.isObject ? container.path + [.key(container.key ?? "")] : container.path + [.index(container.index)]
    }
}
