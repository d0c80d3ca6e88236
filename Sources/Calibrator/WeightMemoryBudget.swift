internal import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The memory bound on a weight (or bias) tensor that ``Calibrator`` reads whole as Float32, and what decides
/// that a weight is streamed in blocks instead (``Calibrator/weightBlocks(file:dataset:shape:layout:observer:)``:
/// a weight larger than the budget streams in blocks of at most an eighth of it when its observer allows).
///
/// A tensor whose Float32 size (elements × 4 bytes) exceeds the budget is refused before any of it is
/// read (``CalibrationError/weightTooLarge(file:dataset:bytes:budget:source:)``, exit 65), and so is one
/// the system will not allocate (``CalibrationError/weightUnallocatable(file:dataset:bytes:)``): a file of a
/// few kilobytes can declare a dataset of terabytes (a sparse chunked dataset is read as its fill value).
///
/// The budget is ``Calibrator/memoryBudget`` (`--memory-budget`) when set. Otherwise it is a quarter of
/// the smallest of the physical memory and the address-space and data-segment limits (`ulimit -v`,
/// `ulimit -d`): calibrating a weight holds about 3.5 times its Float32 size at the peak (the values, the
/// candidate schemes' reconstructions, the codes).
struct WeightMemoryBudget: Sendable {
    /// The largest Float32 size of one tensor, in bytes.
    var bytes: Int
    /// Where the bound comes from, for messages.
    var source: String

    /// The budget for `memoryBudget` (`nil`: derived from the machine, see the type's documentation).
    init(memoryBudget: Int?) {
        if let memoryBudget {
            bytes = memoryBudget
            source = "--memory-budget"
            return
        }
        var limits = [(UInt64(ProcessInfo.processInfo.physicalMemory), "physical memory")]
        let limitNames = [
            (RLIMIT_AS, "address-space limit (ulimit -v)"), (RLIMIT_DATA, "data-segment limit (ulimit -d)"),
        ]
        for (resource, name) in limitNames {
            var limit = rlimit()
            #if canImport(Glibc)
            let got = getrlimit(__rlimit_resource_t(resource.rawValue), &limit)
            #else
            let got = getrlimit(resource, &limit)
            #endif
            // RLIM_INFINITY is all ones: above Int.max.
            if got == 0, UInt64(limit.rlim_cur) < UInt64(Int.max) { limits.append((UInt64(limit.rlim_cur), name)) }
        }
        let (smallest, name) = limits.min { $0.0 < $1.0 } ?? (UInt64(Int.max), "physical memory")
        bytes = Int(clamping: smallest / 4)
        source = "a quarter of the \(name); --memory-budget sets it"
    }

    /// Float32 bytes of a tensor of `shape` (`Int.max` when the product overflows).
    static func float32Bytes(shape: [Int]) -> Int {
        var product = MemoryLayout<Float>.stride
        for extent in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: Swift.max(extent, 0))
            if overflow { return .max }
            product = next
        }
        return product
    }

    /// Throws unless a tensor of `shape` fits the budget and `malloc` can provide its Float32 values
    /// (checked by allocating and freeing them: the read then allocates its array without aborting the
    /// process).
    func check(file: String, dataset: String, shape: [Int]) throws(CalibrationError) {
        let needed = Self.float32Bytes(shape: shape)
        guard needed <= bytes else {
            throw .weightTooLarge(file: file, dataset: dataset, bytes: needed, budget: bytes, source: source)
        }
        guard needed > 64 << 20 else { return }
        guard let probe = malloc(needed) else {
            throw .weightUnallocatable(file: file, dataset: dataset, bytes: needed)
        }
        free(probe)
    }

    /// `n` bytes as written in messages: `1073741824 bytes (1.0 GiB)`.
    static func describe(_ n: Int) -> String {
        guard n != .max else { return "more than \(Int.max) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(n)
        var unit = -1
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit < 0 ? "\(n) bytes" : "\(n) bytes (\((value * 10).rounded() / 10) \(units[unit]))"
    }
}
