// swift-tools-version:6.0
//
// PTQKit: post-training quantization calibration for tensors that live in HDF5.
//
// The modules follow the data flow; a lower stage never imports a higher one:
//   CHDF5 (libhdf5 + shim) → HDF5 (safe wrapper) → TensorIO (streams, batches)
//   QuantCore (formats, schemes, kernels, metrics) → Observers → Calibrator (policy, configs)
//   → ModelPackage (writer, reader, verify) → PTQKit (re-exports) → ptq (thin CLI)
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
        .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: strict),
        .target(name: "TensorIO", dependencies: ["HDF5"], swiftSettings: strict),
        .target(name: "QuantCore", swiftSettings: strict),
        .target(name: "Observers", dependencies: ["QuantCore"], swiftSettings: strict),
        .target(
            name: "Calibrator",
            dependencies: ["QuantCore", "Observers", "TensorIO", "HDF5", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "ModelPackage",
            dependencies: [
                "QuantCore", "HDF5", "TensorIO", "Observers", "Calibrator", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PTQKit",
            dependencies: ["HDF5", "TensorIO", "QuantCore", "Observers", "Calibrator", "ModelPackage"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ptq",
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
        .testTarget(name: "QuantCoreTests", dependencies: ["QuantCore", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ObserversTests", dependencies: ["Observers", "QuantCore", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CalibratorTests", dependencies: ["Calibrator", "PTQKit", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ModelPackageTests", dependencies: ["ModelPackage", "PTQKit", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["PTQKit", "TestSupport"], swiftSettings: strict),
    ]
)
