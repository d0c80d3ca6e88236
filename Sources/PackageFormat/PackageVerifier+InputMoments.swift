import HDF5

extension PackageVerifier {
    /// Every activation record's `input_moments`: at least one feature, a count ≥ 0, both datasets present
    /// in `tensors.h5` as float64 of shape `[features]`, every sum finite, every Σx² ≥ 0 (and 0 when the
    /// count is 0), and by Cauchy–Schwarz (Σx)² ≤ N·Σx² up to rounding.
    static func checkInputMoments(_ package: borrowing PackageReader, _ report: inout Report) {
        for layer in package.manifest.layers {
            guard let m = layer.activation?.inputMoments else { continue }
            let place = "\(package.path): layer \(layer.name) input_moments"
            guard m.features >= 1, m.count >= 0 else {
                report.check("\(place): features \(m.features) and count \(m.count) must be ≥ 1 and ≥ 0")
                continue
            }
            let (sumPath, squaresPath) = InputMomentsRecord.datasetPaths(layer: layer.name)
            report.check(
                m.sumDataset == sumPath && m.sumOfSquaresDataset == squaresPath
                    ? nil : "\(place): datasets are not \(sumPath) and \(squaresPath)")
            for path in m.datasets {
                do {
                    let dataset = try package.tensors.openDataset(path)
                    let type = dataset.elementType.numeric
                    report.check(
                        type?.kind == .float && type?.bits == 64
                            ? nil : "\(package.tensorsPath):\(path): stored as \(dataset.elementType), not float64")
                } catch {
                    report.check("\(package.tensorsPath):\(path): \(error.kind.summary)")
                }
            }
            let sums: (sum: [Double], sumOfSquares: [Double])
            do { sums = try package.inputMoments(m) } catch {
                report.check("\(place): \(error)")
                continue
            }
            let bad = (0..<m.features).filter { j in
                let (s, q) = (sums.sum[j], sums.sumOfSquares[j])
                return !s.isFinite || !q.isFinite || q < 0 || (m.count == 0 && (s != 0 || q != 0))
                    || s * s > Double(m.count) * q * (1 + 1e-9) + Double.leastNormalMagnitude
            }
            report.check(
                bad.isEmpty
                    ? nil
                    : "\(place): features \(bad.prefix(5).map(String.init).joined(separator: ", ")) have non-finite "
                        + "sums, a negative Σx², or (Σx)² > N·Σx²")
        }
    }
}
