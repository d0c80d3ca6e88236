#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Expands shell-style file patterns (`*`, `?`, `[...]`; no `**`) with the C library's `glob(3)`.
public enum ShardGlob {
    /// The paths matching `pattern`, sorted (byte order), or `[]` when nothing matches.
    public static func paths(matching pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }

    /// Whether `path` contains glob metacharacters.
    public static func isPattern(_ path: String) -> Bool {
        path.contains { "*?[".contains($0) }
    }
}
