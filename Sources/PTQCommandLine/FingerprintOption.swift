import ArgumentParser
import PTQKit

/// `--fingerprint xxh3|sha256|none`: how `ptq calibrate` and `ptq observe` fingerprint their inputs in the
/// manifest or statistics file, and how `ptq calibrate` hashes the package's own files (XXH3-128 under
/// `none`); `ptq verify` later checks whichever was recorded.
struct FingerprintOption: ParsableArguments {
    /// The values `--fingerprint` accepts.
    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case xxh3
        case sha256
        case none
    }

    @Option(
        help: ArgumentHelp(
            """
            How each input file is fingerprinted in the output: xxh3 (XXH3-128, fast; the default), sha256 (as \
            sha256sum prints it; ~1.4 GB/s) or none (sizes only; ptq verify cannot check the inputs). A \
            package's own tensors.h5 and skeleton are hashed the same way (xxh3 under none).
            """, valueName: "xxh3|sha256|none"))
    var fingerprint: Choice = .xxh3

    /// The algorithm chosen (`nil` for `none`).
    var algorithm: Fingerprint.Algorithm? {
        switch fingerprint {
        case .xxh3: .xxh3
        case .sha256: .sha256
        case .none: nil
        }
    }
}
