public import HDF5

extension TensorRecord {
    /// The `formula` attribute of an affine tensor.
    public static let affineFormula = "x = scale * (q - zero_point)"
    /// The `formula` attribute of a minifloat tensor.
    public static let minifloatFormula = "x = decode(code) * scale"
    /// The `formula` attribute of a block-scaled (MX, NVFP4) tensor.
    public static let blockScaledFormula = "x = decode(code) * (scale_decode(scale) * global_scale)"

    /// The `formula` attribute of a tensor of `encoding`.
    static func formula(_ encoding: TensorEncoding) -> String {
        switch encoding {
        case .minifloat: minifloatFormula
        case .blockScaled: blockScaledFormula
        case .affine, .float32: affineFormula
        }
    }

    /// The attributes a stored tensor carries in `tensors.h5`, from its record (`docs/package-format.md`,
    /// "Attributes"): what the writer stores and what `ptq verify` compares them with.
    public var storedAttributes: [(String, AttributeValue)] {
        let record = self
        var attributes: [(String, AttributeValue)] = [
            ("ptq_encoding", .string(record.encoding.rawValue)),
            ("dtype", .string(record.storedDtype)),
            ("original_dtype", .string(record.originalDtype)),
        ]
        if !record.originalShape.isEmpty {
            attributes.append(("original_shape", .integers(record.originalShape.map(Int64.init))))
        }
        if let note = record.note { attributes.append(("note", .string(note))) }
        if let q = record.quantization {
            attributes += [
                ("format", .string(q.format)), ("bits", .integer(Int64(q.bits))),
                ("signed", .integer(q.signed ? 1 : 0)), ("narrow_range", .integer(q.narrowRange ? 1 : 0)),
                ("qmin", .integer(Int64(q.qmin))), ("qmax", .integer(Int64(q.qmax))),
                ("scheme", .string(q.scheme)), ("granularity", .string(q.granularity)),
                ("profile", .string(q.profile)), ("rounding", .string(q.rounding)),
                ("packed_bits", .integer(Int64(record.packedBits ?? 0))),
                ("scale", .string(q.scaleDataset)),
                ("formula", .string(Self.formula(record.encoding))),
            ]
            if let axis = q.axis { attributes.append(("axis", .integer(Int64(axis)))) }
            if let size = q.groupSize { attributes.append(("group_size", .integer(Int64(size)))) }
            if let zeroPoint = q.zeroPointDataset { attributes.append(("zero_point", .string(zeroPoint))) }
            if let table = q.decodeTableDataset { attributes.append(("decode_table", .string(table))) }
            for (name, value) in [
                ("scale_format", q.scaleFormat), ("element_format", q.elementFormat),
                ("scale_decode_table", q.scaleDecodeTableDataset), ("global_scale", q.globalScaleDataset),
            ] {
                if let value { attributes.append((name, .string(value))) }
            }
            if let n = q.fractionBits { attributes.append(("fraction_bits", .integer(Int64(n)))) }
            if let d = q.fractionDigits { attributes.append(("fraction_digits", .integer(Int64(d)))) }
        }
        return attributes
    }
}
