import Foundation
import HDF5
import QuantCore

/// Checks a package: the manifest against the schema, the recorded input hashes, the package's files
/// (`summary.md` as rendered from the manifest, `tensors.h5`'s SHA-256, no unlisted datasets), every
/// stored tensor's type, shape, attributes and code range, every scale (finite, positive, no reachable
/// code dequantizing to ±Inf) and zero-point (0 for signed symmetric grids), every activation record
/// (re-derived from its range; see `PackageVerifier+Invariants.swift`), every stored input moment (finite
/// float64 sums of the recorded length, Σx² ≥ 0); and, given the original weights,
/// recomputes each tensor's error metrics and compares them with the manifest.
public enum PackageVerifier {
    /// The outcome of a verification.
    public struct Report: Sendable, Hashable {
        /// Checks performed.
        public var checks = 0
        /// What is wrong, one line each (naming the file, tensor or manifest key).
        public var problems: [String] = []
        /// What could not be checked (an input file no longer at its recorded path).
        public var warnings: [String] = []
        /// Tensors whose codes, parameters and (with weights) metrics were checked.
        public var tensorsChecked = 0
        /// Whether nothing is wrong.
        public var passed: Bool { problems.isEmpty }

        /// Counts a check and records `problem` when it is not `nil`.
        mutating func check(_ problem: String?) {
            checks += 1
            if let problem { problems.append(problem) }
        }
    }

    /// Relative tolerance of recomputed metrics (they are computed the same way, so they agree to
    /// rounding of the JSON text, which is exact for Double; the tolerance only absorbs summation
    /// order differences).
    public static let metricsTolerance = 1e-9

    /// Verifies the package at `path`, optionally against the weights file it was made from.
    /// - Throws: ``PackageError`` when the package cannot be opened at all (no manifest, undecodable
    ///   manifest, missing `tensors.h5`); everything else is reported in the ``Report``.
    public static func verify(path: String, against weights: String? = nil) throws(PackageError) -> Report {
        var report = Report()
        let manifestPath = "\(path)/\(Manifest.fileName)"
        if let data = FileManager.default.contents(atPath: manifestPath) {
            for violation in ManifestSchema.violations(ofJSON: data) {
                report.check("\(manifestPath): schema: \(violation)")
            }
            report.checks += 1
        }
        let package = try PackageReader(path: path)
        let manifest = package.manifest
        checkInputs(manifest.inputs, against: weights, &report)
        checkFiles(package, &report)
        checkDirectory(package, &report)
        checkSkeleton(package, &report)
        checkActivations(manifest, package: path, &report)
        checkSmoothing(package, &report)
        checkInputMoments(package, &report)
        if let weights {
            do { _ = try File(weights) } catch { throw .hdf5(error) }
        }
        for record in manifest.tensors {
            report.tensorsChecked += 1
            checkAttributes(record, package, &report)
            checkRoundingMethod(record, &report)
            checkInputScales(record, package, &report)
            do {
                let restored = try checkStorage(record, package, &report)
                if let weights, let restored {
                    let file: File
                    do { file = try File(weights) } catch { throw PackageError.hdf5(error) }
                    try checkAgainstOriginal(record, restored: restored, file: file, &report)
                }
            } catch {
                report.check("\(record.dataset): \(error)")
            }
        }
        return report
    }

    /// Hashes every input still at its path with the algorithm its record names; with `weights`, the
    /// weights input must be that file. An input recorded without a digest (`--fingerprint none`) is
    /// reported as a warning: nothing can be checked.
    static func checkInputs(_ inputs: [InputFile], against weights: String?, _ report: inout Report) {
        for input in inputs {
            guard let recorded = input.fingerprint else {
                report.warnings.append(
                    "\(input.path): \(input.role.rawValue) input recorded without a fingerprint; it was not checked")
                continue
            }
            guard FileManager.default.fileExists(atPath: input.path) else {
                report.warnings.append(
                    "\(input.path): \(input.role.rawValue) input not found; its hash was not checked")
                continue
            }
            do {
                let (actual, size) = try Fingerprint.of(fileAt: input.path, algorithm: recorded.algorithm)
                let name = recorded.algorithm.displayName
                report.check(
                    actual == recorded && size == input.size
                        ? nil
                        : "\(input.path): \(name) or size differs from the manifest (the file changed since "
                            + "calibration)"
                )
            } catch {
                report.check("\(error)")
            }
        }
        guard let weights else { return }
        let recorded = inputs.filter { $0.role == .weights }.compactMap(\.fingerprint)
        guard let algorithm = recorded.first?.algorithm else { return }
        do {
            let (actual, _) = try Fingerprint.of(fileAt: weights, algorithm: algorithm)
            report.check(
                recorded.contains(actual)
                    ? nil
                    : "\(weights): not the weights file the package was made from (\(algorithm.displayName) differs)")
        } catch {
            report.check("\(error)")
        }
    }

    /// Checks a tensor's stored type and shape, code range and parameters; returns its dequantized values.
    static func checkStorage(_ record: TensorRecord, _ package: borrowing PackageReader, _ report: inout Report)
        throws(PackageError) -> [Float]?
    {
        let dataset = try package.open(record.dataset, expectedShape: record.storedShape)
        let stored = dataset.elementType.numeric?.name ?? dataset.elementType.description
        report.check(
            stored == record.storedDtype
                ? nil : "\(record.dataset): stored as \(stored), manifest says \(record.storedDtype)")
        switch record.encoding {
        case .float32:
            return try package.float32Values(of: record)
        case .minifloat:
            let (codes, table) = try package.minifloatCodes(of: record)
            let (_, scales) = try package.layoutAndScales(of: record)
            let outside = codes.filter { Int($0) >= table.count }.count
            report.check(
                outside == 0 ? nil : "\(record.dataset): \(outside) codes beyond the \(table.count)-entry decode table")
            let badScales = scales.filter { !($0.isFinite && $0 > 0) }.count
            report.check(badScales == 0 ? nil : "\(record.dataset): \(badScales) scales are not finite and positive")
            checkMinifloatScales(record, table: table, scales: scales, package: package.path, &report)
            if let format = record.quantization.flatMap({ FloatFormat(presetName: $0.format) }) {
                let expected = (0..<table.count).map { format.decode(UInt32($0)) }
                let same = zip(expected, table).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
                report.check(same ? nil : "\(record.dataset): decode table differs from \(format)")
            }
            return try package.dequantized(record)
        case .blockScaled:
            try checkBlockScaled(record, package, &report)
            return try package.dequantized(record)
        case .affine:
            guard let q = record.quantization else {
                report.check("\(record.dataset): affine tensor without quantization parameters")
                return nil
            }
            let (_, scales, zeroPoints) = try package.storedParameters(of: record)
            let codes = try package.codes(of: record)
            let outside = codes.filter { Int($0) < q.qmin || Int($0) > q.qmax }.count
            report.check(outside == 0 ? nil : "\(record.dataset): \(outside) codes outside \(q.qmin)...\(q.qmax)")
            let badScales = scales.filter { !($0.isFinite && $0 > 0) }.count
            report.check(badScales == 0 ? nil : "\(record.dataset): \(badScales) scales are not finite and positive")
            let badZeros = zeroPoints.filter { Int($0) < q.qmin || Int($0) > q.qmax }.count
            report.check(
                badZeros == 0 ? nil : "\(record.dataset): \(badZeros) zero-points outside \(q.qmin)...\(q.qmax)")
            checkAffineParameters(record, q, scales: scales, zeroPoints: zeroPoints, package: package.path, &report)
            checkFixedPointScales(record, q, scales: scales, package: package.path, &report)
            return try package.dequantized(record)
        }
    }

    /// Recomputes the error metrics of a tensor against the original dataset of the same path.
    static func checkAgainstOriginal(
        _ record: TensorRecord, restored: [Float], file: borrowing File, _ report: inout Report
    ) throws(PackageError) {
        let values: [Float]
        do {
            let dataset = try file.openDataset(record.dataset)
            guard dataset.shape == record.originalShape else {
                report.check(
                    """
                    \(file.filePath): \(record.dataset) has shape \(dataset.shape), the package \
                    \(record.originalShape)
                    """
                )
                return
            }
            values = try dataset.read(as: Float.self)
        } catch {
            report.check("\(file.filePath): \(record.dataset): \(error.kind.summary)")
            return
        }
        if record.encoding == .float32 {
            report.check(values == restored ? nil : "\(record.dataset): stored float32 values differ from the original")
            return
        }
        guard let recorded = record.metrics else { return }
        let measured: ErrorMetricsRecord
        do { measured = ErrorMetricsRecord(try ErrorMetrics(reference: values, reconstruction: restored)) } catch {
            throw .quantization(name: record.dataset, error)
        }
        func close(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return abs(a - b) <= metricsTolerance * max(abs(a), abs(b), 1e-30)
        }
        let agree =
            close(measured.mse, recorded.mse) && close(measured.maxAbsError, recorded.maxAbsError)
            && close(measured.sqnrDecibels, recorded.sqnrDecibels)
        report.check(
            agree
                ? nil
                : """
                \(record.dataset): recomputed metrics (MSE \(measured.mse), max abs \(measured.maxAbsError)) differ \
                from the manifest (MSE \(recorded.mse), max abs \(recorded.maxAbsError))
                """
        )
    }
}
