// swift-tools-version:6.0
//
// PTQKit: post-training quantization calibration for tensors that live in HDF5.
//
// The modules follow the data flow; a lower stage never imports a higher one (docs/architecture.md says
// what each owns and may import, and a test holds it to this file):
//   JSON (the one JSON value) · CHDF5 (libhdf5 + shim) · CXXHash (libxxhash) → HDF5 (safe wrapper) → TensorIO (streams, batches)
//   QuantCore (formats, schemes, kernels, metrics) → Observers → WeightRounding (GPTQ, AWQ, SmoothQuant,
//   importance-weighted clipping) → Calibrator (config, policy, calibration)
//   → PackageFormat (manifest, schema, reader, verifier) → PackageWriter (tensors.h5, atomic output)
//   → PTQStats (.ptqstats) → PTQKit (CalibrationJob, re-exports); PackageExport (ptq export: formats of
//   deployment tools, from a package's manifest); PackageReport (ptq report: one HTML page from a package);
//   PackageEvaluation (ptq evaluate: output SQNR on held-out activations) → PTQCommandLine (all subcommands)
//   → ptq (PTQCommandLine with the built-in observers)
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "PTQKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PTQKit", targets: ["PTQKit"]),
        .library(name: "PTQCommandLine", targets: ["PTQCommandLine"]),
        .executable(name: "ptq", targets: ["ptq"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: strict),
        .target(name: "TensorIO", dependencies: ["HDF5"], swiftSettings: strict),
        .target(name: "JSON", swiftSettings: strict),
        .target(name: "QuantCore", dependencies: ["CMomentKernels"], swiftSettings: strict),
        // The Gram kernel of the input moments (AVX2+FMA chosen at run time, portable C otherwise).
        .target(name: "CMomentKernels"),
        .target(name: "Observers", dependencies: ["QuantCore", "JSON", "CMomentKernels"], swiftSettings: strict),
        .target(name: "WeightRounding", dependencies: ["QuantCore", "Observers"], swiftSettings: strict),
        .target(
            name: "Calibrator",
            dependencies: [
                "JSON", "QuantCore", "Observers", "WeightRounding", "TensorIO", "HDF5",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PackageFormat",
            dependencies: [
                "JSON", "QuantCore", "HDF5", "CXXHash", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PackageWriter",
            dependencies: ["JSON", "QuantCore", "HDF5", "TensorIO", "Calibrator", "PackageFormat"],
            swiftSettings: strict
        ),
        .target(
            name: "PTQStats",
            dependencies: ["Observers", "TensorIO", "Calibrator", "PackageFormat", "PackageWriter"],
            swiftSettings: strict
        ),
        .target(
            name: "PTQKit",
            dependencies: [
                "JSON", "HDF5", "TensorIO", "QuantCore", "Observers", "WeightRounding", "Calibrator", "PackageFormat",
                "PackageWriter", "PTQStats",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PackageExport",
            dependencies: ["PackageFormat", "PackageWriter", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "PackageReport", dependencies: ["PackageFormat", "QuantCore", "JSON"], swiftSettings: strict),
        .target(
            name: "PackageEvaluation",
            dependencies: ["JSON", "QuantCore", "HDF5", "TensorIO", "PackageFormat"],
            swiftSettings: strict
        ),
        .target(
            name: "PTQCommandLine",
            dependencies: [
                "PTQKit", "PackageExport", "PackageReport", "PackageEvaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "ptq", dependencies: ["PTQCommandLine"], swiftSettings: strict),
        // The bundled digits network evaluated with a package (the Swift twin of
        // Calibration/evaluate_package.py): `make demo` prints held-out accuracy without Python.
        .executableTarget(
            name: "evaluate-digits",
            dependencies: ["PTQKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ptq-bench",
            dependencies: ["PTQKit"],
            swiftSettings: strict
        ),
        // What every test target shares: the seeded generator, the repository's paths, the fixture and
        // golden readers. Foundation only, so the lowest test targets link nothing more.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "TensorIOTests", dependencies: ["TensorIO", "HDF5", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "QuantCoreTests", dependencies: ["QuantCore", "CMomentKernels", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ObserversTests", dependencies: ["Observers", "QuantCore", "JSON", "CMomentKernels", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "WeightRoundingTests", dependencies: ["WeightRounding", "QuantCore", "Observers", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "CalibratorTests", dependencies: ["Calibrator", "PTQKit", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ModelPackageTests",
            dependencies: ["PackageFormat", "PackageWriter", "PTQStats", "PTQKit", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PackageExportTests", dependencies: ["PackageExport", "PackageFormat", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PackageReportTests", dependencies: ["PackageReport", "PackageFormat"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["PTQKit", "TestSupport"], swiftSettings: strict),
    ]
)
