internal import Observers
internal import TensorIO

/// How the rows of one activation dataset are cut into the blocks an ``InputMomentsAccumulator`` adds, and
/// the feeding of batches to the accumulators of the layers reading it.
///
/// Block boundaries depend only on the data, never on batches, threads or shards: in each file, a boundary
/// at every multiple of ``rowsPerBlock`` R = max(1, ⌊256 / vectors per row⌋) (256 =
/// ``InputMomentsAccumulator/blockVectors``; a row of shape `[…, d]` holds `elements / d` vectors), at every
/// multiple of the dataset's shard-plan unit (``ShardPlan/unitRows(chunkRows:rowBytes:)``: shards of a
/// ``ShardPlan`` start and end on unit boundaries, so no block is ever split between shards), and at the
/// file's end. A block inside one batch is added at once; a block cut by a batch boundary is assembled from
/// its pieces (``MomentBlockAssembler``, shared by the workers) and added by the worker that completes it.
struct InputMomentsBlocks: Sendable {
    /// Rows per block (before unit and file boundaries cut it).
    let rowsPerBlock: Int
    /// The source's shards (file, first row, rows, chunking).
    let shards: [TensorSource.Shard]
    /// Elements per row.
    let rowElementCount: Int
    /// Where blocks cut by batch boundaries are assembled.
    let assembler: MomentBlockAssembler

    /// The blocks of `source`'s dataset.
    init(source: TensorSource) {
        rowElementCount = source.rowElementCount
        let vectorsPerRow = Swift.max(1, rowElementCount / Swift.max(1, source.rowShape.last ?? 1))
        rowsPerBlock = Swift.max(1, InputMomentsAccumulator.blockVectors / vectorsPerRow)
        shards = source.shards
        assembler = MomentBlockAssembler()
    }

    /// The block holding file row `row` of shard `shard`: from the last boundary at or before it to the next.
    func block(containing row: Int, shard: TensorSource.Shard) -> Range<Int> {
        let unit = ShardPlan.unitRows(
            chunkRows: shard.chunkRows, rowBytes: rowElementCount * MemoryLayout<Float>.stride)
        let startR = row / rowsPerBlock * rowsPerBlock
        let startU = row / unit * unit
        let start = Swift.max(startR, startU, shard.firstRow)
        let end = Swift.min(startR + rowsPerBlock, startU + unit, shard.firstRow + shard.rows)
        return start..<end
    }

    /// Adds every whole block of `batch` to `observers`' accumulators, and the pieces of blocks the batch
    /// cuts to the assembler (adding a block when this piece completes it).
    ///
    /// - Throws: ``CalibrationError/observer(layer:dataset:reason:)`` when a sum overflows.
    func feed(_ batch: TensorBatch, rowShape: [Int], to group: inout [ActivationObservers], dataset: String)
        throws(CalibrationError)
    {
        guard group.contains(where: { $0.moments != nil }), rowElementCount > 0 else { return }
        let lower = batch.rowsInFile.lowerBound
        guard
            let index = shards.firstIndex(where: {
                $0.file == batch.file && $0.firstRow <= lower && lower < $0.firstRow + $0.rows
            })
        else {
            throw .observer(
                layer: group.first?.layer ?? "", dataset: dataset,
                reason: "internal: rows \(batch.rowsInFile) of \(batch.file) lie in no segment of the stream")
        }
        let shard = shards[index]
        var row = lower
        while row < batch.rowsInFile.upperBound {
            let block = block(containing: row, shard: shard)
            let piece = row..<Swift.min(block.upperBound, batch.rowsInFile.upperBound)
            let values = UnsafeBufferPointer(
                rebasing: batch.values[
                    ((piece.lowerBound - lower) * rowElementCount)..<((piece.upperBound - lower) * rowElementCount)])
            if piece == block {
                try Self.add(values, rows: block.count, rowShape: rowShape, to: &group, dataset: dataset)
            } else if let whole = assembler.deposit(
                MomentBlockAssembler.Key(shard: index, firstRow: block.lowerBound), rows: block.count,
                offset: piece.lowerBound - block.lowerBound, values: values, rowElementCount: rowElementCount)
            {
                try whole.withUnsafeBufferPointer { (values) throws(CalibrationError) in
                    try Self.add(values, rows: block.count, rowShape: rowShape, to: &group, dataset: dataset)
                }
            }
            row = piece.upperBound
        }
    }

    /// Checks that every block cut by a batch boundary was completed once the stream has ended.
    ///
    /// - Throws: ``CalibrationError/observer(layer:dataset:reason:)`` when a block still misses rows.
    func checkComplete(group: [ActivationObservers], dataset: String) throws(CalibrationError) {
        guard group.contains(where: { $0.moments != nil }), !assembler.isEmpty else { return }
        throw .observer(
            layer: group.first?.layer ?? "", dataset: dataset,
            reason: "internal: a block of input moments was not completed by the stream")
    }

    /// Adds one whole block of `rows` rows to every accumulator of `group`, as vectors along its feature axis.
    static func add(
        _ values: UnsafeBufferPointer<Float>, rows: Int, rowShape: [Int], to group: inout [ActivationObservers],
        dataset: String
    ) throws(CalibrationError) {
        for i in group.indices {
            guard var moments = group[i].moments else { continue }
            group[i].moments = nil  // `moments` the only reference: no copy on write
            defer { group[i].moments = moments }
            do {
                let axis = group[i].momentsAxis
                if axis == rowShape.count - 1 || rowShape.isEmpty {
                    try moments.add(block: values, count: values.count / moments.features)
                } else {
                    let gathered = gather(values, rows: rows, rowShape: rowShape, axis: axis)
                    try gathered.withUnsafeBufferPointer { (vectors) throws(InputMomentsAccumulator.Failure) in
                        try moments.add(block: vectors, count: vectors.count / moments.features)
                    }
                }
            } catch {
                throw .observer(layer: group[i].layer, dataset: dataset, reason: "\(error)")
            }
        }
    }

    /// The vectors along row axis `axis` (an index into `rowShape`) of `rows` rows, in row-major order of
    /// the other axes: element (row, outer, j, inner) goes to vector (row, outer, inner), feature j.
    static func gather(_ values: UnsafeBufferPointer<Float>, rows: Int, rowShape: [Int], axis: Int) -> [Float] {
        let d = rowShape[axis]
        let inner = rowShape[(axis + 1)...].reduce(1, *)
        let outer = rows * rowShape[..<axis].reduce(1, *)
        var out = [Float](repeating: 0, count: values.count)
        var v = 0
        for o in 0..<outer {
            for k in 0..<inner {
                for j in 0..<d { out[v * d + j] = values[(o * d + j) * inner + k] }
                v += 1
            }
        }
        return out
    }
}
