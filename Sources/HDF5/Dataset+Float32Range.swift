extension Dataset {
    /// Checks that rows `rows`, just read into `buffer` as Float32, hold no value that libhdf5's conversion
    /// from a wider float type (float64, long double) pushed out of Float32's range.
    ///
    /// libhdf5 converts a finite source value beyond ±`Float.greatestFiniteMagnitude` (≈ 3.4028235e38) to
    /// ±Inf without an error, so a float64 weight of 3.5e38 or 1e300 would reach the observers as an
    /// infinity, be skipped (or counted as "+Inf" under `nan-policy: error`) and silently become a clamped
    /// code. Only when the converted rows contain a non-finite value are the same rows read again as
    /// Float64: an element that is finite there but not in `buffer` is out of range. A real NaN or ±Inf in
    /// the file stays what it is (the caller's NaN policy applies).
    ///
    /// - Throws: `.outOfRange` naming the file, the dataset, how many elements are out of range and the
    ///   first of them (its value and flat index within the dataset).
    func checkFloat32Range(_ rows: Range<Int>, converted buffer: UnsafeMutableBufferPointer<Float>) throws(HDF5Error) {
        guard case .numeric(let type) = elementType, type.kind == .float, type.bits > 32 else { return }
        let count = rows.count * rowElementCount
        guard buffer.prefix(count).contains(where: { !$0.isFinite }) else { return }
        let wide = try read(rows: rows, as: Double.self)
        var outside = 0
        var first: (index: Int, value: Double)?
        for i in 0..<count where wide[i].isFinite && !buffer[i].isFinite {
            outside += 1
            if first == nil { first = (rows.lowerBound * rowElementCount + i, wide[i]) }
        }
        guard let first else { return }
        throw HDF5Error(
            kind: .outOfRange, file: filePath, object: objectPath, operation: "read",
            cause: "\(outside) of \(count) \(type.name) elements are out of float32 range "
                + "(|x| > \(Float.greatestFiniteMagnitude)), e.g. \(first.value) at flat index \(first.index); "
                + "PTQKit computes in float32")
    }
}
