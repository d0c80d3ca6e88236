import Calibrator
import Foundation
import HDF5
import JSON
import QuantCore
import TestSupport
import Testing

@testable import PackageFormat
@testable import PackageWriter

/// Weights calibrated and stored in blocks of rows (issue #17, item 3): the packages are the same, byte for
/// byte, as when every weight is read whole, for every granularity, observer family, scheme choice and
/// code width, and a streamed weight is never read whole.
@Suite struct StreamedWeightTests {
    /// Weights-section settings, each a configuration of its own.
    static let settings: [String] = [
        "observer: minmax\n  granularity: per-tensor",
        "observer: minmax\n  granularity: per-channel\n  axis: 0",
        "observer: minmax\n  granularity: per-channel\n  axis: -1\n  scheme: auto",
        "observer: mse\n  granularity: per-channel\n  axis: 0\n  scheme: auto",
        "observer: percentile\n  granularity: per-channel\n  axis: 1",
        "observer: entropy\n  granularity: per-tensor",
        "observer: histogram\n  granularity: per-channel\n  axis: 1\n  scheme: auto",
        "observer: minmax\n  bits: 4\n  scheme: asymmetric\n  granularity: per-group\n  axis: 1\n  group-size: 4",
        "observer: mse\n  bits: 4\n  granularity: per-group\n  axis: 0\n  group-size: 3",
        "observer: minmax\n  bits: 2\n  granularity: per-channel\n  axis: 0",
        "observer: minmax\n  bits: 12\n  signedness: unsigned\n  scheme: asymmetric\n  granularity: per-channel",
    ]

    /// A weights file with tensors of odd extents (blocks end mid-tensor), some NaN and ±Inf, and a bias.
    static func makeWeights(_ path: String) throws {
        let file = try File(path, mode: .truncate)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 20_000 - 9_000) / 1_000
        }
        for (name, shape) in [("a", [37, 24]), ("b", [29, 6, 5]), ("c", [80, 3])] {
            var values = (0..<shape.reduce(1, *)).map { _ in next() }
            values[5] = .nan
            values[values.count - 2] = .infinity
            values[values.count / 2] = -.infinity
            let dataset = try file.createDataset("/\(name)/weight", type: .float32, shape: shape)
            try dataset.write(values)
        }
        let bias = try file.createDataset("/a/bias", type: .float32, shape: [37])
        try bias.write((0..<37).map { Float($0) / 10 })
    }

    /// The package of `weights` under `config`, with blocks of `blockBytes` (`nil`: every weight whole), on
    /// `threads` threads; `beforeStore` runs before each tensor is stored.
    static func package(
        _ weights: String, config: CalibrationConfig, blockBytes: Int?, threads: Int = 2, at destination: String,
        beforeStore: () -> Void = {}
    ) throws -> [String: Data] {
        var calibrator = try Calibrator(config: config)
        calibrator.threads = threads
        if let blockBytes { calibrator.weightBlockBytes = blockBytes }
        var job = try PackageJob(destination: destination, force: false, inputs: [weights])
        var failure: PackageError?
        let result = try calibrator.calibrate(
            weights: weights, activations: [],
            tensors: { tensor in
                beforeStore()
                do throws(PackageError) { try job.store(tensor) } catch { failure = failure ?? error }
            })
        if let failure { throw failure }
        try job.finish(
            plan: PackagePlan(result), inputs: [try InputFile(role: .weights, hashing: weights, algorithm: .xxh3)],
            config: try JSONValue(encoding: config), toolVersion: "test")
        return try ["manifest.json", "tensors.h5", "summary.md"].reduce(into: [:]) { files, name in
            files[name] = try Data(contentsOf: URL(fileURLWithPath: "\(destination)/\(name)"))
        }
    }

    @Test(arguments: settings)
    func streamedWeightsGiveTheSamePackageByteForByte(_ weightSettings: String) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-streamed-\(UUID())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let whole = "\(scratch)/whole.h5"
        let streamed = "\(scratch)/streamed.h5"
        try Self.makeWeights(whole)
        try FileManager.default.copyItem(atPath: whole, toPath: streamed)
        let config = try CalibrationConfig.parse("version: 1\nweights:\n  \(weightSettings)\n")
        let expected = try Self.package(whole, config: config, blockBytes: nil, at: "\(scratch)/whole")
        // 64 bytes: 4 rows per block (12 for groups of 3 along axis 0); every weight above 256 bytes streams.
        let actual = try Self.package(streamed, config: config, blockBytes: 64, at: "\(scratch)/streamed")
        // The inputs differ only in their path; the manifest records it and the file's hash.
        let name = { (data: Data?) in String(decoding: data ?? Data(), as: UTF8.self) }
        #expect(
            name(actual["manifest.json"]).replacingOccurrences(of: "streamed.h5", with: "whole.h5")
                == name(expected["manifest.json"]))
        #expect(actual["tensors.h5"] == expected["tensors.h5"])
        #expect(
            name(actual["summary.md"]).replacingOccurrences(of: "streamed.h5", with: "whole.h5")
                == name(expected["summary.md"]))
        // Whole reads: the biases only (and every tensor on the whole side).
        #expect(WholeDatasetReads.shared.reads(of: streamed) == ["/a/bias": 1])
        #expect(WholeDatasetReads.shared.reads(of: whole).count == 4)
    }

    /// Streamed codes written by two workers straight into `tensors.h5` (``DirectWriter``) give the package
    /// one thread writes through libhdf5, byte for byte, for int8 and packed 4-bit per-group codes, with
    /// blocks of several sizes (issue #17: parallel code writes).
    @Test(arguments: [
        "observer: minmax",
        "observer: minmax\n  bits: 4\n  scheme: asymmetric\n  granularity: per-group\n  axis: 1\n  group-size: 4",
        "observer: minmax\n  bits: 2\n  granularity: per-channel\n  axis: 0",
    ])
    func packagesAreTheSameOnOneAndOnSeveralThreads(_ weightSettings: String) throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-streamed-threads")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let weights = scratch.appendingPathComponent("w.h5").path
        try Self.makeWeights(weights)
        let config = try CalibrationConfig.parse("version: 1\nweights:\n  \(weightSettings)\n")
        for blockBytes in [64, 256] {
            let one = try Self.package(
                weights, config: config, blockBytes: blockBytes, threads: 1, at: scratch.path + "/one-\(blockBytes)")
            for threads in [2, 8] {
                let several = try Self.package(
                    weights, config: config, blockBytes: blockBytes, threads: threads,
                    at: scratch.path + "/\(threads)-\(blockBytes)")
                #expect(several == one, "\(threads) threads, blocks of \(blockBytes) bytes")
            }
        }
    }

    /// A weights file damaged after calibration (truncated before its codes are stored): the store fails
    /// with the typed error on every thread count, without a crash or a hang.
    @Test(arguments: [1, 2])
    func aSourceDamagedBeforeTheCodesAreWrittenEndsInTheTypedError(threads: Int) throws {
        let scratch = try TestPaths.temporaryDirectory(prefix: "ptq-streamed-damaged")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let weights = scratch.appendingPathComponent("w.h5").path
        do {
            let file = try File(weights, mode: .truncate)
            try file.createDataset("/a/weight", type: .float32, shape: [400, 64]).write(
                (0..<(400 * 64)).map { Float($0 % 1000) / 100 })
        }
        let config = try CalibrationConfig.parse("version: 1\nweights:\n  observer: minmax\n")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: weights)[.size] as? Int)
        let error = #expect(throws: PackageError.self) {
            _ = try Self.package(
                weights, config: config, blockBytes: 4096, threads: threads, at: scratch.path + "/pkg",
                beforeStore: { _ = truncate(weights, off_t(size / 2)) })
        }
        guard case .hdf5(let cause)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(cause.file == weights)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/pkg"))
    }
}
