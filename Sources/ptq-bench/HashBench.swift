import Foundation
import PTQKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ptq-bench hash [--runs N] FILE...`: throughput of ``Fingerprint/of(fileAt:algorithm:)`` with XXH3-128
/// (the default input fingerprint of `ptq calibrate` and `observe`) and SHA-256 on each file, read from the page cache
/// after one warm-up. Prints the median over `--runs` (default 5) of wall seconds and of this process's
/// CPU seconds (user + system, `getrusage`), and MB/s (10⁶ bytes) of each; on a loaded machine read the
/// CPU column.
enum HashBench {
    static func run(arguments: [String]) throws {
        var runs = 5
        var files: [String] = []
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--runs", i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
                runs = max(1, n)
                i += 2
            } else {
                files.append(arguments[i])
                i += 1
            }
        }
        print("hash: Fingerprint.of(fileAt:algorithm:), median of \(runs) after 1 warm-up (page cache)")
        print("file                                  algorithm     MB   wall s  MB/s wall   CPU s  MB/s CPU  digest")
        for file in files {
            for algorithm in Fingerprint.Algorithm.allCases {
                _ = try Fingerprint.of(fileAt: file, algorithm: algorithm)
                var walls: [Double] = []
                var cpus: [Double] = []
                var last: (Fingerprint, size: Int)?
                for _ in 0..<runs {
                    let cpu0 = cpuSeconds()
                    let d = try ContinuousClock().measure {
                        last = try Fingerprint.of(fileAt: file, algorithm: algorithm)
                    }
                    cpus.append(cpuSeconds() - cpu0)
                    walls.append(BenchSuite.seconds(d))
                }
                guard let (fingerprint, size) = last else { continue }
                let wall = BenchSuite.median(walls)
                let cpu = BenchSuite.median(cpus)
                let mb = Double(size) / 1e6
                let name = String(file.split(separator: "/").last ?? "")
                print(
                    name.padding(toLength: 38, withPad: " ", startingAt: 0)
                        + algorithm.displayName.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + String(format: "%6.0f %8.3f %10.0f %7.3f %9.0f  ", mb, wall, mb / wall, cpu, mb / cpu)
                        + fingerprint.hex.prefix(16) + "…")
            }
        }
    }

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(
            usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
}
