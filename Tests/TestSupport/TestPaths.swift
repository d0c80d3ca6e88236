public import Foundation

/// Where the repository's test inputs are, found from this source file (`Tests/TestSupport/TestPaths.swift`),
/// and the one way to read a committed JSON fixture.
public enum TestPaths {
    /// The package root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let fixtures = repository.appendingPathComponent("Tests/Fixtures")

    /// A path below the package root, such as `Calibration/weights.h5` or `Configs/int8.yaml`.
    public static func inRepository(_ relative: String) -> URL { repository.appendingPathComponent(relative) }

    /// A path below `Tests/Fixtures`, such as `quant/affine_goldens.json`.
    public static func fixture(_ relative: String) -> URL { fixtures.appendingPathComponent(relative) }

    /// The JSON fixture `Tests/Fixtures/<relative>` decoded as `T` (golden values written by the scripts
    /// next to it).
    public static func decodeFixture<T: Decodable>(_ relative: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: fixture(relative)))
    }

    /// A fresh, empty directory under the system's temporary directory, named `<prefix>-<UUID>`; the
    /// caller removes it.
    public static func temporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
