#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Shell-style matching of layer names (`fc*`, `encoder/layer[0-3]/*`, `?`), as `fnmatch(3)` without
/// flags: `*` and `?` also match `/`, so `encoder*` matches `encoder/attn/q`.
public enum LayerGlob {
    /// Whether `pattern` matches the whole of `name`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
