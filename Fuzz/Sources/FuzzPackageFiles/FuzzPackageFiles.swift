import Foundation
import PTQKit

/// libFuzzer entry point for the package readers. The first byte picks the reader, the rest is the file:
/// - 0: `manifest.json` — ``Manifest/decode(_:path:)`` and the JSON-schema check, as `ptq verify` does;
/// - 1: a `.ptqstats` file as is — ``StatisticsFile/decode(_:path:registry:)`` (mostly refused by its
///   SHA-256, which exercises the header and framing checks);
/// - 2: a `.ptqstats` body framed with a correct header and checksum, so the body decoder and what
///   `ptq merge` / `ptq calibrate --stats` do next (merge, re-encode, calibrator) see the fuzzed contents.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackageFiles(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    PackageFilesFuzzer.run(Data(bytes: bytes, count: count))
    return 0
}
