import Foundation
import HDF5
import QuantCore

/// The invariants of `docs/package-format.md` beyond the stored codes' range: the files of the package,
/// the content hash of `tensors.h5`, the datasets and attributes it holds, the parameters a scheme allows,
/// and the activation records (re-derived from their ranges). Every problem names the package, the layer
/// or dataset, and the invariant broken.
extension PackageVerifier {
    /// `summary.md` exists and is the rendering of the manifest; `tensors.h5` has the recorded digest;
    /// it holds no dataset the manifest does not list (a tensor, its scale, zero-point or decode table).
    static func checkFiles(_ package: borrowing PackageReader, _ report: inout Report) {
        let path = package.path
        let manifest = package.manifest
        let summaryPath = "\(path)/\(manifest.summaryFile)"
        if let summary = FileManager.default.contents(atPath: summaryPath) {
            report.check(
                summary == Data(PackageSummary.markdown(manifest).utf8)
                    ? nil : "\(summaryPath): summary does not match the manifest (edited after packaging)")
        } else {
            report.check("\(summaryPath): missing (a package holds manifest.json, tensors.h5 and summary.md)")
        }
        if let recorded = manifest.tensorsDigest {
            checkDigest(
                of: .tensors, at: package.tensorsPath, recorded: recorded,
                changed: "tensors.h5 changed after packaging", &report)
        } else {
            report.warnings.append(
                "\(path): the manifest records no digest of tensors.h5; edits of tensors.h5 within the code range "
                    + "cannot be detected")
        }
        var expected: Set<String> = []
        for record in manifest.tensors {
            expected.insert(record.dataset)
            if let q = record.quantization {
                expected.formUnion(q.parameterDatasets)
            }
        }
        for layer in manifest.layers { expected.formUnion(layer.activation?.inputMoments?.datasets ?? []) }
        do {
            for entry in try package.tensors.walk() where entry.kind != .group && !expected.contains(entry.path) {
                report.check(
                    "\(package.tensorsPath):\(entry.path): not listed in the manifest (an extra object in tensors.h5)")
            }
            report.checks += 1
        } catch {
            report.check("\(package.tensorsPath): cannot list its datasets: \(error)")
        }
    }

    /// The file at `path` (the package's `file`) has the digest the manifest records; otherwise the problem
    /// names both digests, the manifest's key and `changed` (what the difference means).
    static func checkDigest(
        of file: Manifest.DigestedFile, at path: String, recorded: Fingerprint, changed: String,
        _ report: inout Report
    ) {
        do {
            let digest = try Fingerprint.of(fileAt: path, algorithm: recorded.algorithm).0
            report.check(
                digest == recorded
                    ? nil
                    : "\(path): \(recorded.algorithm.displayName) \(digest.hex) differs from the manifest's "
                        + "\(Manifest.digestKey(file, recorded.algorithm)) \(recorded.hex) (\(changed))")
        } catch {
            report.check("\(path): cannot hash: \(error)")
        }
    }

    /// The attributes on a stored tensor equal what its manifest record says (`docs/package-format.md`,
    /// "Attributes"): encoding, dtypes, shape, format, bits, signedness, code range, scheme, granularity,
    /// axis, group size, profile, rounding, packing and the parameter datasets' paths.
    static func checkAttributes(_ record: TensorRecord, _ package: borrowing PackageReader, _ report: inout Report) {
        let place = "\(package.tensorsPath):\(record.dataset)"
        do {
            let dataset = try package.tensors.openDataset(record.dataset)
            for (name, value) in record.storedAttributes {
                guard try dataset.hasAttribute(name) else {
                    report.check("\(place): attribute '\(name)' is missing (the manifest says \(value))")
                    continue
                }
                let stored = try dataset.attribute(name)
                report.check(
                    stored == value ? nil : "\(place): attribute '\(name)' is \(stored), the manifest says \(value)")
            }
        } catch {
            report.check("\(place): cannot read its attributes: \(error)")
        }
    }

    /// Invariants of an affine tensor's parameters: the code range is the one its format (bits,
    /// signedness, narrow range) defines; signed symmetric grids (the int32 bias included) have zero point
    /// 0 and unsigned symmetric ones a single zero point; every scale is small enough that every reachable
    /// code dequantizes finite: `s · max(|qmin − z|, |qmax − z|) ≤ Float.greatestFiniteMagnitude`.
    static func checkAffineParameters(
        _ record: TensorRecord, _ q: TensorQuantization, scales: [Float], zeroPoints: [Int32], package: String,
        _ report: inout Report
    ) {
        let place = "\(package): \(record.dataset)"
        let bounds = codeBounds(bits: q.bits, signed: q.signed, narrow: q.narrowRange)
        report.check(
            bounds.map { $0 == (q.qmin, q.qmax) } ?? false
                ? nil
                : "\(place): code range \(q.qmin)...\(q.qmax) is not the range of \(q.bits)-bit "
                    + "\(q.signed ? "signed" : "unsigned")\(q.narrowRange ? " narrow" : "") codes")
        if q.scheme == Symmetry.symmetric.rawValue {
            if q.signed {
                let nonZero = zeroPoints.filter { $0 != 0 }.count
                report.check(nonZero == 0 ? nil : "\(place): symmetric scheme with \(nonZero) non-zero zero points")
            } else {
                report.check(
                    Set(zeroPoints).count <= 1
                        ? nil : "\(place): symmetric scheme with different zero points per channel")
            }
        }
        var overflowing: (index: Int, scale: Float)?
        for (k, s) in scales.enumerated() where s.isFinite && s > 0 {
            let z = Int(zeroPoints.count == scales.count ? zeroPoints[k] : 0)
            let reach = Float(max(abs(q.qmin - z), abs(q.qmax - z)))
            if !(s * reach).isFinite {
                overflowing = overflowing ?? (k, s)
            }
        }
        report.check(
            overflowing.map {
                "\(place): scale \($0.scale) (parameter \($0.index)) is too large: codes within \(q.qmin)...\(q.qmax) "
                    + "dequantize to ±Inf"
            })
    }

    /// Invariants of a minifloat tensor's scales: every code of the decode table times its scale is finite.
    static func checkMinifloatScales(
        _ record: TensorRecord, table: [Float], scales: [Float], package: String, _ report: inout Report
    ) {
        let largest = table.filter(\.isFinite).map(abs).max() ?? 0
        let overflowing = scales.filter { $0.isFinite && !($0 * largest).isFinite }.count
        report.check(
            overflowing == 0
                ? nil
                : "\(package): \(record.dataset): \(overflowing) scales are too large: codes up to \(largest) "
                    + "dequantize to ±Inf")
    }

    /// Each activation record: its code range is its format's, its scale finite and > 0, its zero point
    /// within the codes (0 for signed symmetric grids), and its scale and zero point are what its profile's
    /// formula gives for its recorded range `[range_min, range_max]` (so an edited scale is found), and its
    /// compact histogram, when present, fits it (``ActivationHistogramRecord/problem(finite:observedMin:observedMax:)``).
    /// Per-channel records are checked channel by channel (``checkActivationChannels(_:place:scheme:_:)``).
    static func checkActivations(_ manifest: Manifest, package: String, _ report: inout Report) {
        for layer in manifest.layers {
            guard let a = layer.activation else { continue }
            let place = "\(package): layer \(layer.name) activation"
            if let h = a.histogram {
                let finite = a.elementCount - a.nanCount - a.infCount
                report.check(
                    h.problem(finite: finite, observedMin: a.observedMin, observedMax: a.observedMax).map {
                        "\(place): histogram \($0)"
                    })
            }
            if let element = FloatFormat(presetName: a.format) {
                checkMinifloatActivation(a, element: element, place: place, &report)
                continue
            }
            let bounds = codeBounds(bits: a.bits, signed: a.signed, narrow: a.narrowRange)
            report.check(
                bounds.map { $0 == (a.qmin, a.qmax) } ?? false
                    ? nil : "\(place): code range \(a.qmin)...\(a.qmax) is not the range of its \(a.bits)-bit format")
            guard let scheme = activationScheme(a) else {
                report.check(
                    "\(place): profile '\(a.profile)', scheme '\(a.scheme)' or format are not ones PTQKit writes")
                continue
            }
            guard a.granularity == nil else {
                // a smoothed input's per-feature scales come from s (``checkSmoothing(_:_:)``), not channel ranges
                if a.smoothing == nil { checkActivationChannels(a, place: place, scheme: scheme, &report) }
                continue
            }
            guard let scale = a.scale, let zeroPoint = a.zeroPoint else {
                report.check("\(place): a per-tensor record needs scale and zero_point")
                continue
            }
            report.check(scale.isFinite && scale > 0 ? nil : "\(place): scale \(scale) is not finite and positive")
            report.check(
                (a.qmin...max(a.qmin, a.qmax)).contains(zeroPoint)
                    ? nil : "\(place): zero point \(zeroPoint) outside \(a.qmin)...\(a.qmax)")
            let derived = scheme.parameters(min: a.rangeMin, max: a.rangeMax)
            report.check(
                derived.scale.bitPattern == scale.bitPattern && Int(derived.zeroPoint) == zeroPoint
                    ? nil
                    : "\(place): scale \(scale), zero point \(zeroPoint) are not what \(a.profile) gives for "
                        + "the recorded range [\(a.rangeMin), \(a.rangeMax)] (scale \(derived.scale), zero point "
                        + "\(derived.zeroPoint))")
        }
    }

    /// The code range of `bits`-bit integer codes (int32 biases included), or `nil` for a width PTQKit
    /// does not write.
    static func codeBounds(bits: Int, signed: Bool, narrow: Bool) -> (Int, Int)? {
        if bits == 32, signed, !narrow { return (Int(Int32.min), Int(Int32.max)) }
        guard let format = try? IntegerFormat(bits: bits, signed: signed, narrow: narrow) else { return nil }
        return (Int(format.qmin), Int(format.qmax))
    }
}
