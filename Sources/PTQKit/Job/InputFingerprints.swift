import Foundation
import PackageFormat

/// The fingerprints of a package's input files (XXH3-128 by default, SHA-256 on request, or sizes only),
/// computed in the background while the calibration runs, several files at once; or on the calling thread
/// in ``wait()`` when not concurrent (one thread).
final class InputFingerprints: @unchecked Sendable {
    // `@unchecked Sendable`: `results` and `finished` are written by the hashing threads and read by
    // ``wait()`` only while holding `condition`'s lock; the other properties are immutable.
    private let condition = NSCondition()
    private var results: [Result<InputFile, PackageError>?]
    private var finished = false
    private let files: [(role: InputFile.Role, path: String)]
    private let concurrent: Bool
    /// The hash (`nil`: sizes only).
    private let algorithm: Fingerprint.Algorithm?
    /// Each file's size when the calibration started (`nil` when it could not be read then).
    private let startSizes: [Int?]
    /// Whether each file was dropped from the inputs after hashing started (``exclude(where:)``); read and
    /// written under `condition`'s lock.
    private var excluded: [Bool]

    /// Starts hashing `files` in the background if `concurrently` (up to one thread per core, one file
    /// per thread at a time) with `algorithm` (`nil`: only the sizes are recorded, nothing is read).
    init(_ files: [(role: InputFile.Role, path: String)], algorithm: Fingerprint.Algorithm?, concurrently: Bool) {
        self.files = files
        self.algorithm = algorithm
        startSizes = files.map { Self.size(of: $0.path) }
        results = Array(repeating: nil, count: files.count)
        excluded = Array(repeating: false, count: files.count)
        concurrent = concurrently && !files.isEmpty && algorithm != nil
        guard concurrent else { return }
        let thread = Thread { [self] in
            DispatchQueue.concurrentPerform(iterations: files.count) { index in
                let result = Self.hash(files[index], algorithm)
                condition.lock()
                results[index] = result
                condition.unlock()
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "ptq.fingerprints"
        thread.start()
    }

    /// Drops the files `isExcluded` picks (an activation file the probe skipped): ``wait()`` neither returns
    /// nor checks them, and ``resizedInput()`` ignores them (they may still be hashed in the background).
    func exclude(where isExcluded: (InputFile.Role, String) -> Bool) {
        condition.lock()
        for (index, file) in files.enumerated() where isExcluded(file.role, file.path) { excluded[index] = true }
        condition.unlock()
    }

    /// Indices of the files not excluded.
    private var keptIndices: [Int] {
        condition.lock()
        defer { condition.unlock() }
        return files.indices.filter { !excluded[$0] }
    }

    /// The fingerprints, in the order given (excluded files left out); waits for the hashing threads (or
    /// hashes now).
    ///
    /// Call it after the calibration has read the files: a file whose size changed since ``init`` (as
    /// hashed, or now) was truncated or rewritten while being read, so neither the values read nor its
    /// fingerprint can be trusted.
    ///
    /// - Throws: the ``PackageError`` of the first unreadable file, in the order given; an
    ///   ``PackageError/hdf5(_:)`` I/O error (exit 74) naming a file whose size changed.
    func wait() throws(PackageError) -> [InputFile] {
        let kept = keptIndices
        let fingerprints: [InputFile]
        if concurrent {
            condition.lock()
            while !finished { condition.wait() }
            let outcome = results
            condition.unlock()
            fingerprints = try kept.map { (index) throws(PackageError) in
                guard let result = outcome[index] else {
                    preconditionFailure("every file is hashed before `finished` is set")
                }
                return try result.get()
            }
        } else {
            fingerprints = try kept.map { (index) throws(PackageError) in try Self.hash(files[index], algorithm).get() }
        }
        for (fingerprint, start) in zip(fingerprints, kept.map { startSizes[$0] }) where fingerprint.size != start {
            throw .hdf5(Self.resized(fingerprint.path, from: start, hashed: fingerprint.size))
        }
        if let resized = resizedInput() { throw .hdf5(resized) }
        return fingerprints
    }

    /// The error for the first input whose size now differs from its size at ``init``, or `nil`: a run
    /// that failed reading a file truncated after it started reports this (74) rather than a damaged file.
    func resizedInput() -> HDF5Error? {
        for index in keptIndices where Self.size(of: files[index].path) != startSizes[index] {
            return Self.resized(files[index].path, from: startSizes[index], hashed: nil)
        }
        return nil
    }

    /// An I/O error (exit 74) for the file at `path` whose size changed from `start`.
    private static func resized(_ path: String, from start: Int?, hashed: Int?) -> HDF5Error {
        HDF5Error(
            kind: .library, file: path, operation: "read",
            cause: "the file changed size while being read (\(start.map(String.init) ?? "unreadable") bytes "
                + "at the start" + (hashed.map { ", \($0) when hashed" } ?? "")
                + ", \(size(of: path).map(String.init) ?? "gone") now): the values read and its fingerprint "
                + "cannot be trusted")
    }

    /// The size of the file at `path` in bytes, or `nil` when it cannot be read.
    private static func size(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    private static func hash(
        _ file: (role: InputFile.Role, path: String), _ algorithm: Fingerprint.Algorithm?
    ) -> Result<InputFile, PackageError> {
        Result { () throws(PackageError) in try InputFile(role: file.role, hashing: file.path, algorithm: algorithm) }
    }
}
