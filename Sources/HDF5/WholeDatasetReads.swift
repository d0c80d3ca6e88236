internal import Foundation

/// How many times each dataset of each file was read whole (``Dataset/read(rows:as:)`` without rows),
/// whoever read it: the tests that show a calibration reads every weight tensor once (issue #12) count
/// here. Counting costs one locked dictionary update per whole-dataset read (never per element).
///
/// `@unchecked Sendable`: `counts` is read and written only while holding `lock`.
package final class WholeDatasetReads: @unchecked Sendable {
    /// The process's counter.
    package static let shared = WholeDatasetReads()

    private let lock = NSLock()
    private var counts: [String: [String: Int]] = [:]

    /// Counts one whole read of `dataset` in the file at `path`.
    func record(_ dataset: String, in path: String) {
        lock.withLock { counts[path, default: [:]][dataset, default: 0] += 1 }
    }

    /// Whole reads per dataset of the file at `path` (as it was opened).
    package func reads(of path: String) -> [String: Int] {
        lock.withLock { counts[path] ?? [:] }
    }
}
