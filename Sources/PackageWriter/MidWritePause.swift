#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test hook that holds a writer in the middle of writing its output, so that a fault test can deliver
/// a signal at a known point (`Tests/CLITests/FaultTests.swift`) instead of hoping a random moment lands
/// there.
///
/// Off unless the environment sets `PTQ_TEST_PAUSE_MID_WRITE` to a number of seconds in `(0, 600]`. Then
/// each call of ``point(_:)`` writes `ptq: test hook: paused mid-write (WHAT)` to stderr, sleeps that many
/// seconds, writes `ptq: test hook: resumed` and returns. The points: after each dataset of a package's
/// `tensors.h5` (``TensorsFileWriter``) and of `ptq dequantize`'s file (``PackageRestorer``), and in
/// ``AtomicFileWriter/commit()`` before the complete temporary file is renamed into place (statistics
/// files). None of them holds the interrupt lock, so SIGINT/SIGTERM are handled at once while paused.
public enum MidWritePause {
    /// The environment variable that turns the hook on.
    public static let variable = "PTQ_TEST_PAUSE_MID_WRITE"
    /// The line written to stderr when a pause starts (followed by ` (WHAT)`).
    public static let pausedMarker = "ptq: test hook: paused mid-write"
    /// The line written to stderr when a pause ends.
    public static let resumedMarker = "ptq: test hook: resumed"

    /// Pauses at the point `what` when the hook is on; returns at once otherwise.
    static func point(_ what: String) {
        guard let text = getenv(variable), let seconds = Double(String(cString: text)), seconds > 0, seconds <= 600
        else { return }
        announce("\(pausedMarker) (\(what))\n")
        // A signal whose handler runs (SIGINT/SIGTERM's dispatch source) cuts a sleep short: sleep until the
        // whole pause has passed, so the pause only ends by time (or with the process).
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
        announce("\(resumedMarker)\n")
    }

    /// Writes `text` to stderr unbuffered.
    private static func announce(_ text: String) {
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
