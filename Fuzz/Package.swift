// swift-tools-version:6.0
//
// libFuzzer targets for PTQKit's text readers, kept out of the root package so the normal build never
// compiles them. Build and run with `make fuzz` (see Fuzz/run.sh): every module, PTQKit's included, is
// compiled with `-sanitize=fuzzer,address` (coverage-guided, with AddressSanitizer), and libFuzzer's
// runtime provides `main`, so each target only defines `LLVMFuzzerTestOneInput`.
import PackageDescription

let package = Package(
    name: "PTQKitFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "PTQKit", path: "..")],
    targets: [
        // CalibrationConfig from YAML/JSON text, as `ptq calibrate --config` loads it.
        .executableTarget(name: "FuzzConfig", dependencies: [.product(name: "PTQKit", package: "PTQKit")]),
        // manifest.json (decoding + JSON-schema validation, as `ptq verify` reads it) and .ptqstats
        // (as `ptq merge` / `ptq calibrate --stats` read it).
        .executableTarget(name: "FuzzPackageFiles", dependencies: [.product(name: "PTQKit", package: "PTQKit")]),
    ]
)
