import Foundation
import Testing

/// Where `ptq _probe FILE` crashes: the probe is re-run under gdb (`gdb -batch -ex run -ex bt`) and the
/// crashed thread's innermost frame outside the C runtime (libc, the dynamic loader, libgcc, libm, the vdso)
/// names the library the crash is in. The probe runs PTQKit's own reading code, so "the probe crashed" is
/// not yet "libhdf5 crashed": ``isInsideLibhdf5`` is true only for a memory-fault or abort signal whose frame
/// is in libhdf5 or a compression library it calls (zlib, szip/libaec); a Swift trap (SIGILL, SIGTRAP) or a
/// frame in ptq, PTQKit or the Swift runtime is PTQKit's own crash.
struct CrashSite: CustomStringConvertible {
    /// The signal gdb reported ("SIGSEGV", ...), or nil when the probe did not crash under gdb.
    var signal: String?
    /// The innermost frame outside the C runtime, as gdb printed it.
    var frame: String?

    /// Signals a crash inside a C library can raise.
    static let librarySignals: Set<String> = ["SIGSEGV", "SIGBUS", "SIGFPE", "SIGABRT"]
    /// Libraries a libhdf5 crash may end in.
    static let libhdf5Side = ["libhdf5", "libz.so", "libsz.so", "libaec.so"]
    /// The C runtime, skipped when looking for the crashing library.
    static let runtime = ["libc.so", "ld-linux", "libpthread", "libgcc_s", "libm.so", "linux-vdso", "../sysdeps/"]

    var isInsideLibhdf5: Bool {
        guard let signal, Self.librarySignals.contains(signal), let frame else { return false }
        return Self.libhdf5Side.contains { frame.contains($0) }
    }

    var description: String { "\(signal ?? "no signal") at \(frame ?? "no frame")" }

    /// gdb's executable, if installed.
    static let gdb = ["/usr/bin/gdb", "/usr/local/bin/gdb"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the probe of `file` under gdb; `nil` when gdb is not installed.
    static func locate(_ file: String) throws -> CrashSite? {
        guard let gdb, let ptq = PTQProcess.executable?.path else { return nil }
        let result = try PTQProcess.run(
            program: "/usr/bin/env",
            [
                "SWIFT_BACKTRACE=enable=no", gdb, "-nx", "-batch", "-ex", "run", "-ex", "bt", "--args", ptq, "_probe",
                "--", file,
            ])
        return parse(result.stdout)
    }

    /// The signal and crashing frame in gdb's output.
    static func parse(_ output: String) -> CrashSite {
        var site = CrashSite()
        for line in output.split(separator: "\n") {
            // "Program received signal SIGSEGV, ..." (one thread) or "Thread 1 "ptq" received signal SIGSEGV, ..."
            if line.hasPrefix("Program ") || line.hasPrefix("Thread "),
                let marker = line.range(of: " received signal "),
                let name = line[marker.upperBound...].split(separator: " ").first
            {
                site.signal = String(name.trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            }
            guard site.signal != nil, site.frame == nil, line.hasPrefix("#") else { continue }
            if !runtime.contains(where: { line.contains($0) }) { site.frame = String(line) }
        }
        return site
    }
}
