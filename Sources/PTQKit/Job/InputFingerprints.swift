import Foundation
import PackageFormat

/// The SHA-256 fingerprints of a package's input files, computed in the background while the
/// calibration runs (hashing a large activation file costs more CPU time than observing it), several
/// files at once; or on the calling thread in ``wait()`` when not concurrent (one thread).
final class InputFingerprints: @unchecked Sendable {
    // `@unchecked Sendable`: `results` and `finished` are written by the hashing threads and read by
    // ``wait()`` only while holding `condition`'s lock; the other properties are immutable.
    private let condition = NSCondition()
    private var results: [Result<InputFile, PackageError>?]
    private var finished = false
    private let files: [(role: InputFile.Role, path: String)]
    private let concurrent: Bool

    /// Starts hashing `files` in the background if `concurrently` (up to one thread per core, one file
    /// per thread at a time).
    init(_ files: [(role: InputFile.Role, path: String)], concurrently: Bool) {
        self.files = files
        results = Array(repeating: nil, count: files.count)
        concurrent = concurrently && !files.isEmpty
        guard concurrent else { return }
        let thread = Thread { [self] in
            DispatchQueue.concurrentPerform(iterations: files.count) { index in
                let result = Self.hash(files[index])
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

    /// The fingerprints, in the order given; waits for the hashing threads (or hashes now).
    ///
    /// - Throws: the ``PackageError`` of the first unreadable file, in the order given.
    func wait() throws(PackageError) -> [InputFile] {
        guard concurrent else { return try files.map { (file) throws(PackageError) in try Self.hash(file).get() } }
        condition.lock()
        while !finished { condition.wait() }
        let outcome = results
        condition.unlock()
        return try outcome.map { (result) throws(PackageError) in
            guard let result else { preconditionFailure("every file is hashed before `finished` is set") }
            return try result.get()
        }
    }

    private static func hash(_ file: (role: InputFile.Role, path: String)) -> Result<InputFile, PackageError> {
        Result { () throws(PackageError) in try InputFile(role: file.role, hashing: file.path) }
    }
}
