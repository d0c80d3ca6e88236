// CAPI property lists (H5P): dataset creation (layout, chunking, filters) and access.
internal import CHDF5

/// A filter in a dataset's pipeline, as read from libhdf5 (the public ``Filter`` is built from it).
struct RawFilter {
    var id: Int32
    var name: String
    var parameters: [UInt32]
}

extension CAPI {
    /// A new property list of a class (`ptq_H5P_DATASET_CREATE()`, ...).
    static func createPropertyList(_ propertyClass: hid_t, _ site: Site) throws(HDF5Error) -> PropertyListHandle {
        prepareThread()
        return PropertyListHandle(raw: try identifier(H5Pcreate(propertyClass), "H5Pcreate", site))
    }

    /// A new, empty dataset creation property list.
    /// Object modification times are not recorded (as h5py's default `track_times=False`), so the same
    /// data written twice gives the same bytes.
    static func newDatasetCreationList(_ site: Site) throws(HDF5Error) -> PropertyListHandle {
        let dcpl = try createPropertyList(ptq_H5P_DATASET_CREATE(), site)
        try check(H5Pset_obj_track_times(dcpl.raw, false), "H5Pset_obj_track_times", site)
        return dcpl
    }

    /// A link-creation property list that creates missing intermediate groups.
    static func linkCreationList(_ site: Site) throws(HDF5Error) -> PropertyListHandle {
        let lcpl = try createPropertyList(ptq_H5P_LINK_CREATE(), site)
        try check(H5Pset_create_intermediate_group(lcpl.raw, 1), "H5Pset_create_intermediate_group", site)
        return lcpl
    }

    /// Sets chunking and, optionally, the shuffle and deflate filters (in that order) on a creation list.
    static func setChunking(
        _ list: borrowing PropertyListHandle, chunk: [Int], shuffle: Bool, deflateLevel: Int?, _ site: Site
    ) throws(HDF5Error) {
        prepareThread()
        let dims = chunk.map { hsize_t($0) }
        try check(H5Pset_chunk(list.raw, Int32(dims.count), dims), "H5Pset_chunk", site)
        if shuffle { try check(H5Pset_shuffle(list.raw), "H5Pset_shuffle", site) }
        if let level = deflateLevel { try check(H5Pset_deflate(list.raw, UInt32(level)), "H5Pset_deflate", site) }
    }

    /// The storage layout recorded in a dataset creation list.
    static func layout(_ list: borrowing PropertyListHandle) -> StorageLayout {
        prepareThread()
        switch H5Pget_layout(list.raw) {
        case H5D_COMPACT: return .compact
        case H5D_CONTIGUOUS: return .contiguous
        case H5D_CHUNKED: return .chunked
        case H5D_VIRTUAL: return .virtual
        default:
            H5Eclear2(ptq_H5E_DEFAULT())
            return .unknown
        }
    }

    /// The chunk shape of a chunked dataset's creation list.
    static func chunkShape(_ list: borrowing PropertyListHandle, rank: Int, _ site: Site) throws(HDF5Error) -> [Int] {
        prepareThread()
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        let count = H5Pget_chunk(list.raw, Int32(dims.count), &dims)
        try check(count, "H5Pget_chunk", site)
        return dims.prefix(Int(count)).map { Int(clamping: $0) }
    }

    /// The filter pipeline of a dataset creation list, in application order.
    static func filters(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error) -> [RawFilter] {
        prepareThread()
        let count = H5Pget_nfilters(list.raw)
        try check(count, "H5Pget_nfilters", site)
        var filters: [RawFilter] = []
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0
            var valueCount = 8
            var values = [UInt32](repeating: 0, count: valueCount)
            var name = [CChar](repeating: 0, count: 128)
            var config: UInt32 = 0
            let id = H5Pget_filter2(list.raw, index, &flags, &valueCount, &values, name.count, &name, &config)
            try check(id, "H5Pget_filter2", site)
            filters.append(
                RawFilter(
                    id: id,
                    name: String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                    parameters: Array(values.prefix(min(valueCount, values.count)))))
        }
        return filters
    }

    /// Number of external files a dataset creation list stores raw data in (`H5Pget_external_count`).
    static func externalFileCount(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error) -> Int {
        prepareThread()
        let count = H5Pget_external_count(list.raw)
        try check(count, "H5Pget_external_count", site)
        return Int(count)
    }

    /// Sets allocation at creation (`H5D_ALLOC_TIME_EARLY`) and no fill write (`H5D_FILL_TIME_NEVER`) on a
    /// dataset creation list.
    static func setEarlyAllocation(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error) {
        prepareThread()
        try check(H5Pset_alloc_time(list.raw, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", site)
        try check(H5Pset_fill_time(list.raw, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", site)
    }

    /// Whether a dataset creation list allocates at creation and never writes a fill value (see
    /// ``setEarlyAllocation(_:_:)``).
    static func allocatesEarlyWithoutFill(_ list: borrowing PropertyListHandle, _ site: Site) throws(HDF5Error)
        -> Bool
    {
        prepareThread()
        var allocation = H5D_ALLOC_TIME_DEFAULT
        var fill = H5D_FILL_TIME_ALLOC
        try check(H5Pget_alloc_time(list.raw, &allocation), "H5Pget_alloc_time", site)
        try check(H5Pget_fill_time(list.raw, &fill), "H5Pget_fill_time", site)
        return allocation == H5D_ALLOC_TIME_EARLY && fill == H5D_FILL_TIME_NEVER
    }
}
