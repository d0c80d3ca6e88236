import Foundation
import PTQKit

extension Inspect {
    /// For a model package directory: its `tensors.h5` (inspected like any HDF5 file), after printing the
    /// package's per-layer summary table when `printSummary`; `nil` for anything else.
    static func packageTensors(_ argument: String, printSummary: Bool) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.fileExists(atPath: "\(argument)/\(Manifest.fileName)")
        else { return nil }
        guard let package = try? PackageReader(path: argument) else { return ["\(argument)/tensors.h5"] }
        if printSummary {
            print(
                """
                \(argument): PTQKit package, format v\(package.manifest.formatVersion), \
                \(package.manifest.layers.count) layers\n
                """
            )
            print(PackageSummary.markdown(package.manifest))
        }
        return [package.tensorsPath]
    }
}
