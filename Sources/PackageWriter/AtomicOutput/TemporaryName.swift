import PackageFormat

/// The name stem of an output's temporary siblings (`.<stem>.ptq-partial.<pid>.<random>`,
/// `.<stem>.ptq-replaced.<pid>.<random>`, see ``AtomicDirectoryWriter``).
///
/// The stem is the output's own name when that leaves the temporary name within `NAME_MAX` (255 bytes):
/// a name of at most ``longestKeptName`` bytes, since the rest takes at most 1 + 14 + 7 (pid) + 1 + 8 = 31
/// bytes. A longer name is shortened to its first 64 bytes (whole characters), `~`, and 32 hex digits of
/// the SHA-256 of the whole name: one name always gives one stem, so the clean-up of leftovers of killed
/// runs finds them by the same stem.
enum TemporaryName {
    /// The longest output name (bytes of UTF-8) used unchanged as the stem: 200.
    static let longestKeptName = 200

    /// The stem for the output named `name`.
    static func stem(_ name: String) -> String {
        guard name.utf8.count > longestKeptName else { return name }
        var prefix = ""
        for character in name {
            guard prefix.utf8.count + character.utf8.count <= 64 else { break }
            prefix.append(character)
        }
        var hash = SHA256()
        hash.update(Array(name.utf8))
        return "\(prefix)~\(hash.finalize().hex.prefix(32))"
    }
}
