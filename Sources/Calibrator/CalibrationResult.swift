public import Foundation

/// The outcome of a calibration: per-layer parameters and the inputs and configuration they came from.
///
/// A value type with a stable encoding: layers in natural name order, and ``encodedJSON()`` sorts keys,
/// so the same inputs and configuration give the same bytes.
public struct CalibrationResult: Codable, Sendable, Hashable {
    /// The inputs as given.
    public struct Inputs: Codable, Sendable, Hashable {
        /// The weights file, if any.
        public var weights: String?
        /// The activation files (globs expanded, in order).
        public var activations: [String]
    }

    /// Version of this record's layout.
    public static let formatVersion = 1

    /// Version of this record's layout (``formatVersion``).
    public var formatVersion: Int
    /// The inputs.
    public var inputs: Inputs
    /// The configuration as read (defaults and overrides; each layer's effective settings are in its policy).
    public var config: CalibrationConfig
    /// The layers, in natural name order.
    public var layers: [LayerCalibration]
    /// Things worth a look that did not stop the calibration (unmapped datasets, degenerate ranges, ...).
    public var warnings: [String]
    /// The weights file's layout (absent without a weights file).
    public var layout: LayoutSummary?

    /// The record of `layer`.
    public subscript(layer: String) -> LayerCalibration? {
        layers.first { $0.layer == layer }
    }

    /// JSON with sorted keys (pretty-printed when `pretty`): byte-stable for equal results.
    public func encodedJSON(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
