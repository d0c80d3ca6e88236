// CAPI, file extent: a read-only file's end of allocation (`H5Fget_eoa`) against its size on disk
// (`fstat` of the driver's descriptor), to catch a file that shrinks while it is being read.
internal import CHDF5

extension CAPI {
    /// For the file holding the open object `object`, opened read-only: its end of allocated space (the
    /// byte every object of the file lies below) and its current size on disk; `nil` when the file is
    /// writable (space is allocated before it is flushed) or its driver exposes no descriptor.
    static func extent(ofFileHolding object: hid_t) -> (endOfAllocation: Int, size: Int)? {
        prepareThread()
        let file = H5Iget_file_id(object)
        guard file >= 0 else {
            H5Eclear2(ptq_H5E_DEFAULT())
            return nil
        }
        defer { H5Fclose(file) }
        var intent: UInt32 = 0
        var eoa: haddr_t = 0
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_intent(file, &intent) >= 0, intent & ptq_H5F_ACC_RDWR() == 0,
            H5Fget_eoa(file, &eoa) >= 0,
            H5Fget_vfd_handle(file, ptq_H5P_DEFAULT(), &handle) >= 0, let handle
        else {
            H5Eclear2(ptq_H5E_DEFAULT())
            return nil
        }
        guard let size = fileSize(ofDescriptor: handle.assumingMemoryBound(to: Int32.self).pointee),
            eoa <= UInt64(Int.max)
        else { return nil }
        return (Int(eoa), size)
    }
}
