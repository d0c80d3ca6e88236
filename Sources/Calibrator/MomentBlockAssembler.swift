internal import Foundation

/// Gathers the pieces of moment blocks that batch boundaries cut (``InputMomentsBlocks``), shared by the
/// workers of one dataset's stream: each piece is copied into its block's buffer, and the worker whose piece
/// completes a block gets the whole block back to add. Memory: only blocks with a piece still missing are
/// held, at most a few per batch in flight (each at most ``InputMomentsBlocks/rowsPerBlock`` rows).
///
/// `@unchecked Sendable`: every access to ``pending`` holds ``lock``.
final class MomentBlockAssembler: @unchecked Sendable {
    /// A block: the source shard it lies in and its first row in the file.
    struct Key: Hashable {
        var shard: Int
        var firstRow: Int
    }

    private struct Pending {
        var values: [Float]
        var filledRows: Int
    }

    private let lock = NSLock()
    private var pending: [Key: Pending] = [:]

    /// Copies `values` (rows `offset…` of the block `key` of `rows` rows) into the block; returns the whole
    /// block once every row of it has been deposited.
    func deposit(
        _ key: Key, rows: Int, offset: Int, values: UnsafeBufferPointer<Float>, rowElementCount: Int
    ) -> [Float]? {
        lock.lock()
        defer { lock.unlock() }
        var block = pending.removeValue(forKey: key) ?? Pending(values: [], filledRows: 0)
        if block.values.isEmpty { block.values = [Float](repeating: 0, count: rows * rowElementCount) }
        block.values.withUnsafeMutableBufferPointer { buffer in
            guard let to = buffer.baseAddress, let from = values.baseAddress else { return }
            (to + offset * rowElementCount).update(from: from, count: Swift.min(values.count, buffer.count))
        }
        block.filledRows += values.count / Swift.max(1, rowElementCount)
        if block.filledRows >= rows { return block.values }
        pending[key] = block
        return nil
    }

    /// Whether a block still waits for a piece (none should once a stream has ended).
    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty
    }
}
