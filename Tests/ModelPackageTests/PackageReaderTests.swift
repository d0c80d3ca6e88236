import Foundation
import HDF5
import QuantCore
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// Packages written by ``PackageBuilder`` read back through ``PackageReader``.
struct PackageReaderTests {
    @Test func dequantizedTensorsMatchTheKernelsAndStayWithinHalfAStep() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let package = try PackageReader(path: path)
        let originals = Dictionary(uniqueKeysWithValues: try PackageFixture.tensors().map { ($0.dataset, $0) })
        #expect(package.manifest.tensors.count == originals.count)
        for record in package.manifest.tensors {
            let original = try #require(originals[record.dataset])
            #expect(record.originalShape == original.shape)
            let restored = try package.dequantized(record)
            if record.dataset == PackageFixture.bias.dataset {
                #expect(record.storedDtype == "int32")
                for (i, x) in original.values.enumerated() {
                    #expect(abs(restored[i] - x) <= PackageFixture.biasScales[i] / 2 * 1.001)
                }
                continue
            }
            if let quantizer = original.minifloat {
                #expect(record.encoding == .minifloat)
                let quantized = try original.values.withUnsafeBufferPointer {
                    try quantizer.quantize($0, shape: original.shape)
                }
                var expected = [Float](repeating: 0, count: original.values.count)
                try expected.withUnsafeMutableBufferPointer { try quantizer.dequantize(quantized, into: $0) }
                #expect(restored == expected, "\(record.dataset)")
                continue
            }
            guard let scheme = original.scheme else {
                #expect(record.encoding == .float32)
                #expect(restored == original.values)
                continue
            }
            let parameters = try scheme.parameters(fitting: original.values, shape: original.shape)
            #expect(restored == (try parameters.fakeQuantize(original.values)), "\(record.dataset)")
            let codes = try package.codes(of: record)
            let q = try #require(record.quantization)
            #expect(codes.allSatisfy { Int($0) >= q.qmin && Int($0) <= q.qmax }, "\(record.dataset)")
            // Min-max ranges never clip: every element is within half a step of its value.
            for (i, x) in original.values.enumerated() {
                let k = parameters.layout.parameterIndex(ofElement: i)
                #expect(abs(restored[i] - x) <= parameters.scales[k] / 2 * (1 + 1e-5), "\(record.dataset)[\(i)]")
            }
            let metrics = try #require(record.metrics)
            #expect(metrics.maxAbsError <= Double(parameters.scales.max() ?? 0) / 2 * (1 + 1e-5))
            #expect((metrics.sqnrDecibels ?? 0) > (q.bits >= 8 ? 30 : 5))
        }
    }

    @Test func storedDatasetsDescribeThemselves() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let file = try File("\(path)/tensors.h5")
        let int4 = try file.openDataset("/fc2/weight")
        #expect(int4.elementType.numeric == .uint8)
        #expect(int4.shape == [(10 * 33 * 4 + 7) / 8])
        #expect(try int4.attribute("packed_bits") == .integer(4))
        #expect(try int4.attribute("original_shape") == .integers([10, 33]))
        #expect(try int4.attribute("granularity") == .string("per-group"))
        #expect(try int4.attribute("group_size") == .integer(8))
        #expect(try int4.attribute("formula") == .string("x = scale * (q - zero_point)"))
        #expect(try file.openDataset("/fc2/weight.scale").shape == [10, 5])
        #expect(try file.openDataset("/fc3/weight.scale").shape == [])
        #expect(try file.openDataset("/fc1/weight").elementType.numeric == .int8)
        #expect(try file.openDataset("/fc5/weight").elementType.numeric == .int16)
        #expect(try file.openDataset("/fc1/bias").attribute("ptq_encoding") == .string("float32"))
        #expect(
            try file.openDataset("/blocks/0/fc4/kernel:0.zero_point").attribute("tensor")
                == .string("/blocks/0/fc4/kernel:0"))
    }

    @Test func samePackageTwiceIsByteIdentical() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let a = try fixture.build("a")
        // A second later, so any timestamp (HDF5 object modification times) would differ.
        Thread.sleep(forTimeInterval: 1.1)
        let b = try fixture.build("b")
        for name in ["manifest.json", "tensors.h5", "summary.md"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(name)"))
            let y = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(name)"))
            #expect(x == y, "\(name) differs between two identical builds")
        }
    }

    @Test func summaryHasOneRowPerLayer() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        let path = try fixture.build()
        let text = try String(contentsOfFile: "\(path)/summary.md", encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(rows.count == 1 + 7)  // header + fc1...fc7
        #expect(
            rows.contains {
                $0.hasPrefix("| fc1 | int8n symmetric per-channel axis 0 |") && $0.contains("int8 asymmetric")
            })
    }

    @Test func aDirectoryWithoutManifestIsNotAPackage() throws {
        let fixture = try PackageFixture()
        defer { fixture.cleanUp() }
        #expect {
            _ = try PackageReader(path: fixture.directory)
        } throws: { error in
            if case .notAPackage = error as? PackageError { true } else { false }
        }
    }

    @Test func newerFormatVersionIsRejected() throws {
        let data = Data(#"{"format": "ptqkit-model-package", "format_version": 99}"#.utf8)
        #expect {
            _ = try Manifest.decode(data, path: "m.json")
        } throws: { error in
            guard case .unsupportedFormatVersion(_, 99, let supported) = error as? PackageError else { return false }
            return supported == Manifest.currentFormatVersion
        }
    }
}
