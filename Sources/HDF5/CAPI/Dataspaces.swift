// CAPI dataspaces (H5S): extents and selections.
internal import CHDF5

extension CAPI {
    /// A simple dataspace of `shape`; a `nil` entry in `maxShape` means unlimited.
    static func createSpace(_ shape: [Int], maxShape: [Int?]? = nil, _ site: Site) throws(HDF5Error)
        -> DataspaceHandle
    {
        prepareThread()
        if shape.isEmpty {
            return DataspaceHandle(raw: try identifier(H5Screate(H5S_SCALAR), "H5Screate", site))
        }
        let dims = shape.map { hsize_t($0) }
        let raw: hid_t
        if let maxShape {
            let maxDims = maxShape.map { $0.map { hsize_t($0) } ?? ptq_H5S_UNLIMITED() }
            raw = H5Screate_simple(Int32(dims.count), dims, maxDims)
        } else {
            raw = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        return DataspaceHandle(raw: try identifier(raw, "H5Screate_simple", site))
    }

    /// The current and maximum extents of a dataspace (`[]` for a scalar; `nil` maximum = unlimited).
    static func extent(_ space: borrowing DataspaceHandle, _ site: Site) throws(HDF5Error)
        -> (shape: [Int], maxShape: [Int?])
    {
        prepareThread()
        let rank = H5Sget_simple_extent_ndims(space.raw)
        try check(rank, "H5Sget_simple_extent_ndims", site)
        guard rank > 0 else { return ([], []) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        var maxDims = [hsize_t](repeating: 0, count: Int(rank))
        try check(H5Sget_simple_extent_dims(space.raw, &dims, &maxDims), "H5Sget_simple_extent_dims", site)
        let unlimited = ptq_H5S_UNLIMITED()
        // A damaged header can claim any extent: refuse one whose element count does not fit in 2^56, so
        // that element counts times element sizes never overflow `Int` anywhere above this layer.
        var elements = 1
        for dim in dims {
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(clamping: dim))
            guard dim <= UInt64(Int.max), !overflow, product <= maxElementCount else {
                throw HDF5Error(
                    kind: .corruptFile, file: site.file, object: site.object, operation: "H5Sget_simple_extent_dims",
                    cause: "the dataspace \(dims) has more than 2^56 elements (damaged header?)")
            }
            elements = product
        }
        return (dims.map { Int($0) }, maxDims.map { $0 == unlimited ? nil : Int(exactly: $0) })
    }

    /// The most elements a dataspace may have (2^56): more means a damaged header.
    static let maxElementCount = 1 << 56

    /// Selects the block starting at `start` with extent `count` (one entry per dimension).
    static func selectBlock(_ space: borrowing DataspaceHandle, start: [Int], count: [Int], _ site: Site)
        throws(HDF5Error)
    {
        prepareThread()
        guard !start.isEmpty else { return }  // scalar: the single element is selected already
        let starts = start.map { hsize_t($0) }
        let counts = count.map { hsize_t($0) }
        try check(
            H5Sselect_hyperslab(space.raw, H5S_SELECT_SET, starts, nil, counts, nil), "H5Sselect_hyperslab", site)
    }
}
