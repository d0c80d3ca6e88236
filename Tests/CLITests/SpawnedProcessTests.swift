import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc

/// Children of the tests inherit no descriptor of the test process (the CI failure "unable to lock file":
/// a child started with Foundation's `Process` inherited a libhdf5 file another test thread had just
/// opened, and the file's `flock` lock lived on in the child).
struct SpawnedProcessTests {
    @Test func aChildInheritsNoDescriptorAboveStandardError() throws {
        let directory = try TestPaths.temporaryDirectory(prefix: "ptq-spawn")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("held-open.h5").path
        // Opened without O_CLOEXEC, as libhdf5 opens its files.
        let held = open(path, O_RDWR | O_CREAT, 0o600)
        try #require(held >= 0)
        defer { close(held) }
        let (status, output) = try SpawnedProcess.run("/bin/sh", ["-c", "ls -l /proc/$$/fd"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("/proc/") || output.contains("->"), "\(output)")
        #expect(!output.contains(path), "the child inherited \(path):\n\(output)")
        let descriptors = output.split(separator: "\n").compactMap { line -> Int? in
            guard let arrow = line.range(of: " -> ") else { return nil }
            return Int(line[..<arrow.lowerBound].split(separator: " ").last ?? "")
        }
        #expect(Set(descriptors).isSubset(of: [0, 1, 2]), "\(output)")
    }

    @Test func exitCodesSignalsAndInputArriveAsAShellReportsThem() throws {
        #expect(try SpawnedProcess.run("/bin/sh", ["-c", "exit 7"]).status == 7)
        #expect(try SpawnedProcess.run("/bin/sh", ["-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        let child = try SpawnedProcess("/bin/cat", [], withInput: true)
        child.write("line one\n")
        child.closeInput()
        #expect(child.readToEnd() == "line one\n")
        #expect(child.wait() == 0)
    }
}
#endif
