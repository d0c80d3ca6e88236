import Foundation
import HDF5
import TestSupport
import Testing

/// Swift types of every supported element type, with sample values covering their range.
private func samples<T: FixedWidthInteger>(_: T.Type) -> [T] {
    [T.min, T.max, 0, 1, T.max / 3, T.min / 5, 7, T.max - 1, T.min + 1]
}

private func floatSamples<T: BinaryFloatingPoint>(_: T.Type) -> [T] {
    [0, -0.0, 1, -1.5, 0.1, 1e-3, T.greatestFiniteMagnitude, -T.leastNonzeroMagnitude, .infinity]
}

@Suite struct DatasetTests {
    static let fixtureDatasets = Fixtures.expected.datasets.keys.sorted()

    @Test(arguments: fixtureDatasets)
    func fixtureMetadataMatchesH5py(path: String) throws {
        let spec = try #require(Fixtures.expected.datasets[path])
        let file = try File(Fixtures.file)
        let dataset = try file.openDataset(path)
        let info = try dataset.info()
        #expect(dataset.shape == spec.shape)
        let type = try #require(dataset.elementType.numeric)
        #expect(type.name == spec.dtype.name)
        #expect(type.bits == spec.dtype.bits)
        #expect(type.byteOrder.rawValue == spec.dtype.byte_order)
        #expect(info.chunkShape == spec.chunks)
        #expect(info.storage == (spec.chunks == nil ? .contiguous : .chunked) || info.storage == .compact)
        let filters = info.filters.map { filter -> String in
            switch filter {
            case .deflate(let level): "deflate\(level)"
            default: filter.description
            }
        }
        #expect(filters == spec.filters.map { $0.name + ($0.level.map(String.init) ?? "") })
        #expect(info.elementBytes == spec.dtype.bits / 8)
    }

    @Test(arguments: fixtureDatasets)
    func fixtureValuesReadBackAsFloat32Exactly(path: String) throws {
        let spec = try #require(Fixtures.expected.datasets[path])
        let dataset = try File(Fixtures.file).openDataset(path)
        let values: [Float] = try dataset.read()
        let expected = spec.values.map { number -> Float in
            switch number {
            case .signed(let value): Float(value)
            case .unsigned(let value): Float(value)
            case .real(let value): Float(value)
            }
        }
        #expect(values.count == expected.count)
        for (got, want) in zip(values, expected) {
            #expect(got == want || (got.isNaN && want.isNaN), "\(path): \(got) != \(want)")
        }
    }

    @Test(arguments: fixtureDatasets.filter { $0.hasPrefix("/ints/") || $0.contains("big_endian_i32") })
    func fixtureIntegersReadBackNatively(path: String) throws {
        let spec = try #require(Fixtures.expected.datasets[path])
        let dataset = try File(Fixtures.file).openDataset(path)
        if spec.dtype.kind == "unsignedInteger" {
            let values: [UInt64] = try dataset.read()
            #expect(values.map { JSONNumber.unsigned($0) } == spec.values.map(Self.unsignedOf))
        } else {
            let values: [Int64] = try dataset.read()
            #expect(values.map { JSONNumber.signed($0) } == spec.values)
        }
    }

    private static func unsignedOf(_ number: JSONNumber) -> JSONNumber {
        if case .signed(let value) = number, value >= 0 { return .unsigned(UInt64(value)) }
        return number
    }

    @Test func float64ReadsBackAsDoubleExactly() throws {
        let spec = try #require(Fixtures.expected.datasets["/with.dots/weights.v1.2"])
        let values: [Double] = try File(Fixtures.file).openDataset("/with.dots/weights.v1.2").read()
        #expect(values == spec.values.map(\.double))
    }

    @Test func scalarAndEmptyDatasets() throws {
        let file = try File(Fixtures.file)
        let scalar = try file.openDataset("scalar")
        #expect(scalar.shape == [])
        #expect(scalar.rowCount == 1)
        #expect(try scalar.read(as: Double.self) == [3.5])
        let empty = try file.openDataset("empty_rows")
        #expect(empty.rowCount == 0)
        #expect(try empty.read(as: Float.self) == [])
    }

    @Test(arguments: ["/unsupported/strings", "/unsupported/compound", "/unsupported/flags", "/unsupported/enum"])
    func unsupportedTypesAreNamedAndRefused(path: String) throws {
        let name = try #require(Fixtures.expected.unsupported[path])
        let dataset = try File(Fixtures.file).openDataset(path)
        #expect(dataset.elementType == .unsupported(name))
        let error = #expect(throws: HDF5Error.self) { _ = try dataset.read(as: Float.self) }
        #expect(error?.kind == .unsupportedType(name))
        #expect(error?.object == path)
    }

    @Test func hyperslabOfRowsMatchesTheWholeRead() throws {
        let dataset = try File(Fixtures.file).openDataset("/stats/rows")
        let all: [Float] = try dataset.read()
        let width = dataset.rowElementCount
        var buffer = [Float](repeating: .nan, count: 20 * width)
        for start in stride(from: 0, to: dataset.rowCount, by: 20) {
            let rows = start..<min(start + 20, dataset.rowCount)
            try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(rows, into: $0) }
            #expect(Array(buffer.prefix(rows.count * width)) == Array(all[(start * width)..<(rows.upperBound * width)]))
        }
    }

    @Test func outOfRangeRowsAndSmallBuffersAreInvalidArguments() throws {
        let dataset = try File(Fixtures.file).openDataset("/stats/rows")
        var buffer = [Float](repeating: 0, count: 7)
        let tooSmall = #expect(throws: HDF5Error.self) {
            try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(0..<2, into: $0) }
        }
        let outOfRange = #expect(throws: HDF5Error.self) {
            try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(103..<104, into: $0) }
        }
        for error in [tooSmall, outOfRange] {
            guard case .invalidArgument = error?.kind else {
                Issue.record("expected invalidArgument, got \(String(describing: error))")
                continue
            }
        }
    }

    // MARK: Round trips

    @Test(arguments: NumericType.all, [ByteOrder.little, .big])
    func everySupportedTypeRoundTrips(type: NumericType, order: ByteOrder) throws {
        switch (type.kind, type.bits) {
        case (.float, 16):
            #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
            try roundTrip(floatSamples(Float16.self), type, order)
            #endif
        case (.float, 32): try roundTrip(floatSamples(Float.self), type, order)
        case (.float, _): try roundTrip(floatSamples(Double.self), type, order)
        case (.signedInteger, 8): try roundTrip(samples(Int8.self), type, order)
        case (.signedInteger, 16): try roundTrip(samples(Int16.self), type, order)
        case (.signedInteger, 32): try roundTrip(samples(Int32.self), type, order)
        case (.signedInteger, _): try roundTrip(samples(Int64.self), type, order)
        case (.unsignedInteger, 8): try roundTrip(samples(UInt8.self), type, order)
        case (.unsignedInteger, 16): try roundTrip(samples(UInt16.self), type, order)
        case (.unsignedInteger, 32): try roundTrip(samples(UInt32.self), type, order)
        case (.unsignedInteger, _): try roundTrip(samples(UInt64.self), type, order)
        }
    }

    /// Writes `values` (3 rows of 3) into chunked+deflate and contiguous datasets of `type` in `order`, by
    /// hyperslab (row 0, then rows 1..<3), and reads them back natively and as Float32.
    private func roundTrip<T: HDF5Element & Equatable>(_ values: [T], _ type: NumericType, _ order: ByteOrder)
        throws
    {
        #expect(T.hdf5Type == type)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("roundtrip.h5").path
        let fileType = type.with(byteOrder: order)
        let layouts = [
            DatasetOptions(), DatasetOptions(chunkShape: [2, 3], deflateLevel: 4, shuffle: true),
        ]
        do {
            let file = try File(path, mode: .truncate)
            for (index, options) in layouts.enumerated() {
                let dataset = try file.createDataset("d\(index)", type: fileType, shape: [3, 3], options: options)
                try dataset.write(Array(values[0..<3]), startingAt: 0)
                try dataset.write(Array(values[3...]), startingAt: 1)
            }
        }
        let file = try File(path)
        for index in layouts.indices {
            let dataset = try file.openDataset("d\(index)")
            #expect(dataset.elementType == .numeric(fileType))
            #expect(try dataset.read(as: T.self) == values)
            let direct: [Float] = try values.map { value in try Self.float(value) }
            // A finite float64 beyond float32's range (±Double.greatestFiniteMagnitude) would become ±Inf:
            // reading such data as Float32 is refused instead (issue 20, item 8).
            if zip(values, direct).contains(where: { (($0 as? Double)?.isFinite ?? false) && !$1.isFinite }) {
                let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
                #expect(error?.kind == .outOfRange)
            } else {
                let asFloat: [Float] = try dataset.read()
                #expect(asFloat == direct)
            }
        }
        #expect(try file.openDataset("d1").info().filters == [.shuffle, .deflate(level: 4)])
    }

    /// `value` converted to Float the way libhdf5 converts (round to nearest).
    private static func float<T>(_ value: T) throws -> Float {
        switch value {
        case let value as any BinaryInteger: Float(value)
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        case let value as Float16: Float(value)
        #endif
        case let value as Float: value
        case let value as Double: Float(value)
        default: throw HDF5Error(kind: .invalidArgument("\(T.self)"), file: "", operation: "test")
        }
    }

    @Test func growableDatasetExtends() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("grow.h5").path
        let file = try File(path, mode: .truncate)
        var dataset = try file.createDataset(
            "acts", type: .int8, shape: [0, 4], options: DatasetOptions(deflateLevel: 1, growable: true))
        #expect(dataset.maxShape == [nil, 4])
        try dataset.extend(toRows: 2)
        try dataset.write([Int8](1...8), startingAt: 0)
        try dataset.extend(toRows: 3)
        try dataset.write([Int8](9...12), startingAt: 2)
        #expect(try dataset.read(as: Int8.self) == [Int8](1...12))
    }

    @Test func writingWrongRowCountsIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try File(directory.appendingPathComponent("w.h5").path, mode: .truncate)
        let dataset = try file.createDataset("x", type: .uint8, shape: [2, 3])
        #expect(throws: HDF5Error.self) { try dataset.write([UInt8](repeating: 1, count: 4)) }
        #expect(throws: HDF5Error.self) { try dataset.write([UInt8](repeating: 1, count: 6), startingAt: 1) }
        #expect(throws: HDF5Error.self) {
            _ = try file.createDataset("y", type: .float32, shape: [4], options: DatasetOptions(chunkShape: [2, 2]))
        }
    }
}
