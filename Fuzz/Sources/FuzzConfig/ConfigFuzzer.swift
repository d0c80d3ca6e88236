import Foundation
import PTQKit

/// The body of the config target. Tests/CLITests/FuzzRegressionTests.swift compiles this file too (through a
/// symbolic link) and feeds it the seed corpus and every committed crasher.
enum ConfigFuzzer {
    static let registry = ObserverRegistry.builtIn

    static func run(_ data: Data) {
        // `CalibrationConfig.load` refuses non-UTF-8 files before parsing.
        guard let text = String(data: data, encoding: .utf8) else { return }
        // The detected format (what a file without a telling extension gets), and both forced formats
        // (`.yaml` / `.json` extensions).
        for format in [nil, ConfigFormat.yaml, ConfigFormat.json] {
            guard
                let config = try? CalibrationConfig.parse(
                    text, format: format, file: "fuzz", observerNames: registry.names)
            else { continue }
            _ = try? Calibrator(config: config, observers: registry)
            _ = try? JSONValue(encoding: config)
        }
    }
}
