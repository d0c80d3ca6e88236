import Foundation
import PTQKit

/// libFuzzer entry point: the bytes as a configuration file's text, through what `ptq calibrate --config`
/// does with it — UTF-8 check, format detection, decoding and validation (``CalibrationConfig/parse``),
/// then the calibrator built from it and the configuration re-encoded for the manifest. Any outcome but
/// a trap is fine: errors are the expected answer for most inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    ConfigFuzzer.run(Data(bytes: bytes, count: count))
    return 0
}
