// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CustomObserver",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "PTQKit", path: "../..")],
    targets: [
        .executableTarget(
            name: "CustomObserver",
            dependencies: [
                .product(name: "PTQKit", package: "PTQKit"), .product(name: "PTQCommandLine", package: "PTQKit"),
            ]
        )
    ]
)
