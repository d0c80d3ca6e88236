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
    /// The fewest descriptors `ptq` runs with, beyond those already open when it starts (inherited): 32
    /// (a calibration uses about 10 besides stdin, stdout and stderr).
    static let minimumFree = 32

    /// Raises the soft `RLIMIT_NOFILE` so that ``minimumFree`` descriptors are free (within the hard
    /// limit), or ends the process with exit 70 and one line saying so.
    static func ensure() {
        defer { startEventLoop() }
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return }
        let open = openDescriptors(below: limit.rlim_cur)
        let needed = rlim_t(open + minimumFree)
        guard limit.rlim_cur < needed else { return }
        if limit.rlim_max >= needed {
            limit.rlim_cur = Swift.min(limit.rlim_max, Swift.max(needed, 1024))
            if setrlimit(resource, &limit) == 0 { return }
        }
        let message =
            "ptq: the open-file limit is \(limit.rlim_cur) descriptors (ulimit -n) and \(open) are open "
            + "already; ptq needs \(minimumFree) more: raise the limit\n"
        FileHandle.standardError.write(Data(message.utf8))
        exit(ExitCodes.software.rawValue)
    }

    /// How many descriptors below `limit` are open (`fcntl(F_GETFD)` succeeds), counting at most 65 536.
    private static func openDescriptors(below limit: rlim_t) -> Int {
        (0..<Int32(clamping: Swift.min(limit, 65_536))).reduce(0) { $0 + (fcntl($1, F_GETFD) != -1 ? 1 : 0) }
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
