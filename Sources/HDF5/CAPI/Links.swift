// CAPI groups, links and objects (H5G, H5L, H5O).
internal import CHDF5

extension CAPI {
    /// Whether a link named `name` exists in `location` (`H5Lexists`; intermediate groups must exist).
    static func linkExists(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Lexists(location, name, ptq_H5P_DEFAULT())
        try check(result, "H5Lexists", site)
        return result > 0
    }

    /// Whether the link at `name` resolves to an object (false for a dangling soft link).
    static func objectExists(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> Bool {
        prepareThread()
        let result = H5Oexists_by_name(location, name, ptq_H5P_DEFAULT())
        try check(result, "H5Oexists_by_name", site)
        return result > 0
    }

    /// The class of the object `name` resolves to (`H5Oget_info_by_name2`).
    static func objectClass(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> ObjectClass {
        prepareThread()
        var info = H5O_info_t()
        try check(
            H5Oget_info_by_name2(location, name, &info, ptq_H5O_INFO_BASIC(), ptq_H5P_DEFAULT()),
            "H5Oget_info_by_name2", site)
        return objectClass(info.type)
    }

    private static func objectClass(_ type: H5O_type_t) -> ObjectClass {
        switch type {
        case H5O_TYPE_GROUP: .group
        case H5O_TYPE_DATASET: .dataset
        case H5O_TYPE_NAMED_DATATYPE: .namedDatatype
        default: .other
        }
    }

    /// The target path of the soft link `name`.
    static func softLinkTarget(_ location: hid_t, _ name: String, size: Int, _ site: Site) throws(HDF5Error)
        -> String
    {
        var buffer = [CChar](repeating: 0, count: size + 1)
        try check(H5Lget_val(location, name, &buffer, buffer.count, ptq_H5P_DEFAULT()), "H5Lget_val", site)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Visits every link below `location` recursively in name order (`H5Lvisit`), depth first, each
    /// group's links before the next sibling; soft links are reported, not followed.
    static func visitLinks(_ location: hid_t, _ site: Site) throws(HDF5Error) -> [VisitedLink] {
        try collectLinks(location, recursive: true, order: H5_INDEX_NAME, site)
    }

    /// The links of `location` (recursively with `H5Lvisit`, else only its own with `H5Literate`) in
    /// `order`; soft links are reported, not followed.
    static func collectLinks(_ location: hid_t, recursive: Bool, order: H5_index_t, _ site: Site) throws(HDF5Error)
        -> [VisitedLink]
    {
        prepareThread()
        final class Context {
            var links: [VisitedLink] = []
            var error: HDF5Error?
            let site: Site
            init(site: Site) { self.site = site }
        }
        let context = Context(site: site)
        let visitor: H5L_iterate_t = { group, name, info, data in
            guard let name, let info, let data else { return -1 }
            let context = Unmanaged<Context>.fromOpaque(data).takeUnretainedValue()
            let path = String(cString: name)
            do throws(HDF5Error) {
                let target: VisitedLink.Target
                switch info.pointee.type {
                case H5L_TYPE_HARD:
                    target = .object(try CAPI.objectClass(group, path, context.site.at(path)))
                case H5L_TYPE_SOFT:
                    let size = info.pointee.u.val_size
                    target = .soft(try CAPI.softLinkTarget(group, path, size: size, context.site.at(path)))
                default:
                    target = .external
                }
                context.links.append(VisitedLink(name: path, target: target))
                return 0
            } catch {
                context.error = error
                return -1
            }
        }
        let status = withExtendedLifetime(context) {
            let data = Unmanaged.passUnretained(context).toOpaque()
            return recursive
                ? H5Lvisit(location, order, H5_ITER_INC, visitor, data)
                : H5Literate(location, order, H5_ITER_INC, nil, visitor, data)
        }
        if let error = context.error { throw error }
        try check(status, recursive ? "H5Lvisit" : "H5Literate", site)
        return context.links
    }

    /// Creates a soft link `name` in `location` pointing at `target`.
    static func createSoftLink(target: String, _ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) {
        prepareThread()
        let lcpl = try linkCreationList(site)
        try check(
            H5Lcreate_soft(target, location, name, lcpl.raw, ptq_H5P_DEFAULT()), "H5Lcreate_soft", site)
    }

    /// Opens a group.
    static func openGroup(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> GroupHandle {
        prepareThread()
        return GroupHandle(raw: try identifier(H5Gopen2(location, name, ptq_H5P_DEFAULT()), "H5Gopen2", site))
    }

    /// Creates a group, creating missing intermediate groups.
    static func createGroup(_ location: hid_t, _ name: String, _ site: Site) throws(HDF5Error) -> GroupHandle {
        prepareThread()
        let lcpl = try linkCreationList(site)
        let raw = H5Gcreate2(location, name, lcpl.raw, ptq_H5P_DEFAULT(), ptq_H5P_DEFAULT())
        return GroupHandle(raw: try identifier(raw, "H5Gcreate2", site))
    }
}
