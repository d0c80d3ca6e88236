import Foundation
import PTQKit
import Testing

/// `ptq calibrate` on weights files written by Keras 3 (native and legacy) and torch (issue 14): the
/// package names layers as the framework does, records the layout, each tensor's `layout_role` and
/// `source_name` and each layer's `layer_class` (what `ptq dequantize` and readers use), validates against
/// the schema and verifies against the original file.
@Suite struct ModelLayoutCLITests {
    static let fixtures = "Tests/Fixtures/layouts"

    @Test(arguments: [
        ("digits_cnn.weights.h5", "keras"), ("digits_cnn.h5", "keras-legacy"), ("bert_tiny_nested.h5", "torch"),
    ])
    func packageRecordsTheLayout(file: String, layout: String) throws {
        let scratch = try CalibrateTests.Scratch()
        defer { scratch.remove() }
        let package = "\(scratch.path)/p"
        try CalibrateTests.calibrate(["--weights", "\(Self.fixtures)/\(file)", "--output", package])
        let manifest = try CalibrateTests.manifest(package)
        #expect(manifest.layout?.name == layout)
        try CalibrateTests.verifies(package, against: "\(Self.fixtures)/\(file)")
        let tensors = manifest.layers.flatMap(\.tensors)
        #expect(tensors.allSatisfy { $0.layoutRole != nil && $0.sourceName != nil })
        if layout == "torch" {
            let query = try #require(manifest.layers.first { $0.name == "encoder.layer.0.attention.self.query" })
            #expect(
                query.tensors.map(\.sourceName) == [
                    "encoder.layer.0.attention.self.query.bias", "encoder.layer.0.attention.self.query.weight",
                ])
            return
        }
        #expect(manifest.layers.map(\.name) == ["bn1", "conv1", "dw1", "fc1", "fc2", "up1"])
        #expect(manifest.layers.first { $0.name == "conv1" }?.layerClass == "Conv2D")
        let bn = try #require(manifest.layers.first { $0.name == "bn1" })
        #expect(bn.tensors.count == 4)
        #expect(bn.tensors.allSatisfy { $0.encoding == .float32 && $0.note?.contains("kept in float") == true })
        let kernel = try #require(
            manifest.layers.first { $0.name == "fc1" }?.tensors.first { $0.layoutRole == "kernel" })
        #expect(kernel.sourceName == "fc1/kernel")
        #expect(kernel.quantization?.axis == 1)
        #expect(kernel.quantization?.parameterShape == [16])
    }
}
