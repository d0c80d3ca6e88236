// CAPI errors (H5E): HDF5's error stack read into an `HDF5Error`, and the checks every wrapper uses.
internal import CHDF5

extension CAPI {

    /// Whether HDF5's automatic error printing is off on the calling thread (for tests).
    static func isPrintingSilenced() -> Bool {
        var function: H5E_auto2_t?
        var data: UnsafeMutableRawPointer?
        H5Eget_auto2(ptq_H5E_DEFAULT(), &function, &data)
        return function == nil
    }

    /// One frame of HDF5's error stack.
    struct StackFrame {
        var function: String
        var description: String
        var major: hid_t
        var minor: hid_t
    }

    /// Reads and clears the calling thread's error stack, outermost (API) frame first.
    static func takeStack() -> [StackFrame] {
        var frames: [StackFrame] = []
        let walker: H5E_walk2_t = { _, error, context in
            guard let error, let context else { return 0 }
            let frames = context.assumingMemoryBound(to: [StackFrame].self)
            let record = error.pointee
            frames.pointee.append(
                StackFrame(
                    function: record.func_name.map { String(cString: $0) } ?? "?",
                    description: record.desc.map { String(cString: $0) } ?? "",
                    major: record.maj_num,
                    minor: record.min_num
                ))
            return 0
        }
        _ = withUnsafeMutablePointer(to: &frames) { pointer in
            H5Ewalk2(ptq_H5E_DEFAULT(), H5E_WALK_DOWNWARD, walker, pointer)
        }
        H5Eclear2(ptq_H5E_DEFAULT())
        return frames
    }

    /// The text of an HDF5 error message identifier (major or minor).
    static func message(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Builds an error from the current error stack, classifying it by the minor codes it contains.
    static func failure(_ operation: String, _ site: Site, kind: HDF5Error.Kind? = nil) -> HDF5Error {
        let frames = takeStack()
        let minors = Set(frames.map(\.minor))
        let words = frames.map { frame in
            let minor = message(frame.minor)
            // One line per frame: the sec2 driver's messages embed a newline (after `time = ...`).
            let description = frame.description.split(whereSeparator: \.isNewline).joined(separator: " ")
            return description + (minor.isEmpty ? "" : " (\(minor))")
        }
        let texts = zip(frames, words).map { "\($0.function): \($1)" }
        let classified: HDF5Error.Kind
        if let kind {
            classified = kind
        } else if minors.contains(ptq_H5E_TRUNCATED()) {
            classified = .corruptFile
        } else if frames.contains(where: { Self.isNewerFormat($0.description) }) {
            // Checked before "not found": H5Dopen2 reports an undecodable layout as "Object not found" too.
            classified = .unsupportedFormat
        } else if minors.contains(ptq_H5E_NOTHDF5()) {
            classified = .notHDF5
        } else if minors.contains(ptq_H5E_NOTFOUND()) {
            classified = .objectNotFound
        } else {
            classified = .library
        }
        // The cause a user reads: the innermost frame's words, without the libhdf5 function (`stack` keeps it).
        var cause = words.last ?? ""
        if classified == .unsupportedFormat {
            cause +=
                "; the file was probably written with a newer HDF5 format (h5py libver='latest'):"
                + " rewrite it with the default libver"
        }
        return HDF5Error(
            kind: classified, file: site.file, object: site.object, operation: operation, cause: cause,
            stack: texts)
    }

    /// Whether an error-stack description says a message is in a format newer than this libhdf5 decodes
    /// (what h5py's `libver='latest'` files trigger in 1.10: "bad version number for layout message").
    private static func isNewerFormat(_ description: String) -> Bool {
        description.contains("bad version number") || description.contains("layout/pline/efl")
    }

    /// Throws if a status (`herr_t`/`htri_t`) is negative.
    @inline(__always)
    static func check(_ status: Int32, _ operation: String, _ site: Site) throws(HDF5Error) {
        if status < 0 { throw failure(operation, site) }
    }

    /// Returns an identifier, or throws if it is negative.
    @inline(__always)
    static func identifier(_ id: hid_t, _ operation: String, _ site: Site) throws(HDF5Error) -> hid_t {
        if id < 0 { throw failure(operation, site) }
        return id
    }

    /// Closes an identifier from a handle's `deinit`; a failure to close is dropped (and cleared).
    static func close(_ id: hid_t, _ closer: (hid_t) -> herr_t) {
        guard id >= 0 else { return }
        prepareThread()
        if closer(id) < 0 { H5Eclear2(ptq_H5E_DEFAULT()) }
    }
}
