#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

extension Dataset {
    /// Checks that every source of a virtual dataset (VDS) is there: the source file exists where libhdf5
    /// looks for it and holds the source dataset. libhdf5 reads a missing source as the VDS's fill value
    /// without an error, which would make up the values of a weight. Other layouts pass at once.
    ///
    /// A relative source file name is looked up as libhdf5 1.10 does: in each directory of
    /// `HDF5_VDS_PREFIX` (`${ORIGIN}` standing for the virtual dataset's directory), then beside the virtual
    /// dataset's file, then in the working directory; an absolute one first as it is, then by its last
    /// component in the same places. `"."` is the virtual dataset's own file.
    ///
    /// - Throws: `.objectNotFound` naming the file, the dataset and the missing source (file or dataset);
    ///   `.unsupportedFormat` for printf-style source names (`%b`), whose sources cannot be enumerated.
    func checkVirtualSources() throws(HDF5Error) {
        let site = site()
        let creation = try CAPI.datasetCreationList(handle.raw, site)
        guard case .virtual = CAPI.layout(creation) else { return }
        for source in try CAPI.virtualSources(creation, site) {
            let named = "'\(source.file):\(source.dataset)'"
            guard !source.file.contains("%"), !source.dataset.contains("%") else {
                throw HDF5Error(
                    kind: .unsupportedFormat, file: filePath, object: objectPath, operation: "check virtual dataset",
                    cause: "virtual dataset source \(named) is printf-style; its sources cannot be checked, "
                        + "so it is not read")
            }
            let candidates =
                source.file == "." ? [filePath] : Self.virtualSourceCandidates(source.file, besides: filePath)
            guard let found = candidates.first(where: CAPI.fileExists) else {
                throw HDF5Error(
                    kind: .objectNotFound, file: filePath, object: objectPath, operation: "check virtual dataset",
                    cause: "virtual dataset source \(named) is missing: no such file (looked for "
                        + "\(candidates.joined(separator: ", "))); libhdf5 would read the fill value instead")
            }
            let present: Bool
            do {
                present = try File(found).contains(source.dataset)
            } catch {
                throw HDF5Error(
                    kind: .objectNotFound, file: filePath, object: objectPath, operation: "check virtual dataset",
                    cause: "virtual dataset source \(named) cannot be opened (\(error))")
            }
            guard present else {
                throw HDF5Error(
                    kind: .objectNotFound, file: filePath, object: objectPath, operation: "check virtual dataset",
                    cause: "virtual dataset source \(named) is missing: no dataset \(source.dataset) in \(found); "
                        + "libhdf5 would read the fill value instead")
            }
        }
    }

    /// Where libhdf5 looks for the source file `name` of a virtual dataset in the file `path`, in order.
    static func virtualSourceCandidates(_ name: String, besides path: String) -> [String] {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let relative = name.hasPrefix("/") ? String(name.split(separator: "/").last ?? "") : name
        var prefixes: [String] = []
        if let variable = getenv("HDF5_VDS_PREFIX") {
            prefixes += String(cString: variable).split(separator: ":").map {
                String($0).replacing("${ORIGIN}", with: directory)
            }
        }
        prefixes.append(directory)
        return (name.hasPrefix("/") ? [name] : []) + prefixes.map { "\($0)/\(relative)" } + [relative]
    }
}
