import Foundation
import PTQKit

/// The SHA-256 fingerprints of a package's input files, computed on a background thread while the
/// calibration runs (hashing a large activation file costs more CPU time than observing it), or on the
/// calling thread in ``wait()`` when not concurrent (`--threads 1`).
final class InputFingerprints: @unchecked Sendable {
    // `@unchecked Sendable`: `outcome` is written by the hashing thread and read by ``wait()`` only while
    // holding `condition`'s lock; the other properties are immutable.
    private let condition = NSCondition()
    private var outcome: Result<[InputFile], PackageError>?
    private let files: [(role: InputFile.Role, path: String)]
    private let concurrent: Bool

    /// Starts hashing `files` (in order) on a new thread if `concurrently`.
    init(_ files: [(role: InputFile.Role, path: String)], concurrently: Bool) {
        self.files = files
        concurrent = concurrently && !files.isEmpty
        guard concurrent else { return }
        let thread = Thread { [self] in
            let result = Self.hash(files)
            condition.lock()
            outcome = result
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "ptq.fingerprints"
        thread.start()
    }

    /// The fingerprints, in the order given; waits for the hashing thread (or hashes now).
    ///
    /// - Throws: the ``PackageError`` of the first unreadable file.
    func wait() throws(PackageError) -> [InputFile] {
        guard concurrent else { return try Self.hash(files).get() }
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return try (outcome ?? .success([])).get()
    }

    private static func hash(_ files: [(role: InputFile.Role, path: String)]) -> Result<[InputFile], PackageError> {
        Result { () throws(PackageError) in
            try files.map { (file) throws(PackageError) in try InputFile(role: file.role, hashing: file.path) }
        }
    }
}
