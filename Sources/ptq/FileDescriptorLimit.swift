import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file descriptors `ptq` needs before it starts: a run holds a few dozen at once (libhdf5 files,
/// the probe child's pipes, Foundation's and libdispatch's event descriptors, the package being
/// written). Below that, libdispatch traps (SIGILL) when it cannot create its epoll descriptor, inputs
/// fail to open as if damaged, and a failed run cannot even list its temporary directory to remove it.
enum FileDescriptorLimit {
    /// The fewest descriptors `ptq` runs with: 64 (a small calibration peaks at about 25).
    static let minimum: rlim_t = 64

    /// Raises the soft `RLIMIT_NOFILE` to at least ``minimum`` (up to 1024, within the hard limit), or
    /// ends the process with exit 70 and one line saying so when the hard limit is lower.
    static func ensure() {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        defer { startEventLoop() }
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < minimum else { return }
        if limit.rlim_max >= minimum {
            limit.rlim_cur = Swift.min(limit.rlim_max, 1024)
            if setrlimit(resource, &limit) == 0 { return }
        }
        let message = "ptq: the open-file limit is \(limit.rlim_cur) descriptors (ulimit -n); ptq needs at least "
            + "\(minimum): raise it\n"
        FileHandle.standardError.write(Data(message.utf8))
        exit(ExitCodes.software.rawValue)
    }

    /// Makes libdispatch create its event loop (epoll and timer descriptors) now, while descriptors are
    /// free: it creates them on first use, and traps (SIGILL) if that first use comes when a run has
    /// used every descriptor (many activation files open at once).
    private static func startEventLoop() {
        let fired = DispatchSemaphore(value: 0)
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.setEventHandler { fired.signal() }
        timer.schedule(deadline: .now())
        timer.resume()
        fired.wait()
        timer.cancel()
    }
}
