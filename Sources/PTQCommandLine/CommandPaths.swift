import ArgumentParser
import Foundation
import PTQKit

/// The checks every subcommand makes on its paths before any work, so that each failure reads the same
/// whichever command meets it: a missing input is `ptq CMD: PATH: no such file or directory` (exit 66), an
/// output whose directory is missing or unusable names that directory (exit 73).
enum CommandPaths {
    /// Stops with exit 66 at the first of `paths` that does not exist (`nil`s and glob patterns, which the
    /// command expands and reports itself, are skipped).
    static func requireInputs(_ paths: [String?], command: String) throws(ExitCode) {
        for path in paths.compactMap({ $0 })
        where !ShardGlob.isPattern(path) && !FileManager.default.fileExists(atPath: path) {
            FileHandle.standardError.write(Data("ptq \(command): \(path): no such file or directory\n".utf8))
            throw ExitCodes.noInput
        }
    }

    /// Stops with exit 73 when the directory `output` would be created in is missing, not a directory or not
    /// writable: `ptq observe: stats/s-0.ptqstats: cannot create the output: directory stats does not exist`.
    static func requireOutputDirectory(_ output: String, command: String) throws(ExitCode) {
        let parent = (output as NSString).deletingLastPathComponent
        do { try AtomicDirectoryWriter.checkParent(parent.isEmpty ? "." : parent, of: output) } catch {
            FileHandle.standardError.write(Data("ptq \(command): \(error)\n".utf8))
            throw ExitCodes.cannotCreate
        }
    }
}
