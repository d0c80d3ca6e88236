// CAPI, external links: where an external link points (`H5Lget_info`, `H5Lunpack_elink_val`) and which
// file an object was found in (`H5Fget_name`).
internal import CHDF5

extension CAPI {
    /// The target of the external link `name` in `location`: the file name as stored in the link (libhdf5
    /// resolves a relative name against the linking file's directory, then the working directory) and the
    /// object's path inside that file.
    static func externalLinkTarget(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error)
        -> (file: String, object: String)
    {
        prepareThread()
        var info = H5L_info_t()
        try check(H5Lget_info(location, name, &info, ptq_H5P_DEFAULT()), "H5Lget_info", site)
        guard info.type == H5L_TYPE_EXTERNAL else {
            throw HDF5Error(
                kind: .wrongObjectType(expected: "external link", found: "other link"), file: site.file,
                object: site.object, operation: "H5Lget_info")
        }
        var value = [UInt8](repeating: 0, count: info.u.val_size)
        try check(H5Lget_val(location, name, &value, value.count, ptq_H5P_DEFAULT()), "H5Lget_val", site)
        // The unpacked names point into `value`: copied into Strings while it is borrowed.
        let (status, file, object) = value.withUnsafeBytes { raw -> (herr_t, String, String) in
            var flags: UInt32 = 0
            var file: UnsafePointer<CChar>?
            var object: UnsafePointer<CChar>?
            let status = H5Lunpack_elink_val(raw.baseAddress, raw.count, &flags, &file, &object)
            return (status, file.map { String(cString: $0) } ?? "", object.map { String(cString: $0) } ?? "")
        }
        try check(status, "H5Lunpack_elink_val", site)
        return (file, object)
    }

    /// The name of the file holding the open object `object` (for an object reached through an external
    /// link: the linked file, as libhdf5 opened it).
    static func fileName(of object: hid_t, _ site: Site) throws(HDF5Error) -> String {
        prepareThread()
        let length = H5Fget_name(object, nil, 0)
        if length < 0 { throw failure("H5Fget_name", site) }
        var buffer = [CChar](repeating: 0, count: length + 1)
        if H5Fget_name(object, &buffer, buffer.count) < 0 { throw failure("H5Fget_name", site) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
