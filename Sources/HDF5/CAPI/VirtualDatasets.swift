// CAPI, virtual datasets: the source mappings of a VDS (`H5Pget_virtual_*`).
internal import CHDF5

extension CAPI {
    /// One mapping of a virtual dataset: the source file name as stored (`"."` is the virtual dataset's
    /// own file; may be relative or printf-style with `%b`) and the source dataset's path.
    struct VirtualSource: Sendable, Hashable {
        var file: String
        var dataset: String
    }

    /// The source mappings of a virtual dataset's creation property list, in mapping order.
    static func virtualSources(
        _ list: borrowing PropertyListHandle, _ site: Site
    ) throws(HDF5Error) -> [VirtualSource] {
        prepareThread()
        var count: Int = 0
        try check(H5Pget_virtual_count(list.raw, &count), "H5Pget_virtual_count", site)
        var sources: [VirtualSource] = []
        for index in 0..<count {
            let file = try virtualName(index, site, "H5Pget_virtual_filename") {
                H5Pget_virtual_filename(list.raw, $0, $1, $2)
            }
            let dataset = try virtualName(index, site, "H5Pget_virtual_dsetname") {
                H5Pget_virtual_dsetname(list.raw, $0, $1, $2)
            }
            sources.append(VirtualSource(file: file, dataset: dataset))
        }
        return sources
    }

    /// Calls a `H5Pget_virtual_*name` getter twice: once for the length, once for the text.
    private static func virtualName(
        _ index: Int, _ site: Site, _ operation: String,
        _ getter: (Int, UnsafeMutablePointer<CChar>?, Int) -> Int
    ) throws(HDF5Error) -> String {
        let length = getter(index, nil, 0)
        if length < 0 { throw failure(operation, site) }
        var buffer = [CChar](repeating: 0, count: length + 1)
        if getter(index, &buffer, buffer.count) < 0 { throw failure(operation, site) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
