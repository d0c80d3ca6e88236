/// What `ptq export` wrote, and what it left out.
public struct ExportReport: Sendable, Hashable {
    /// The format written.
    public var format: ExportFormat
    /// The output path (a file, or a directory for ``ExportFormat/onnxruntimeTable``).
    public var output: String
    /// Every exported range, in layer order.
    public var ranges: [ExportedRange]
    /// The quantized tensors exported (``ExportFormat/aimet`` only; empty otherwise), in manifest order.
    public var parameters: [AIMETEncoding]
    /// Exported names (layers, and for AIMET tensors' dataset paths) the `--names` map does not name
    /// (written under their default names); empty without a map.
    public var unmapped: [String]
    /// Layers of the package without activation parameters (not calibrated, or excluded; for
    /// ``ExportFormat/ggufImatrix`` without input moments): nothing of them is in the output.
    public var withoutActivation: [String]
    /// Remarks about how the target reads what was written (for example a symmetrized range).
    public var notes: [String]
    /// The weights whose importance (Σx² per input feature) was written (``ExportFormat/ggufImatrix``
    /// only), in file order.
    public var importanceEntries: [String]

    /// Creates a report.
    public init(
        format: ExportFormat, output: String, ranges: [ExportedRange], parameters: [AIMETEncoding] = [],
        unmapped: [String], withoutActivation: [String], notes: [String], importanceEntries: [String] = []
    ) {
        self.importanceEntries = importanceEntries
        self.parameters = parameters
        self.format = format
        self.output = output
        self.ranges = ranges
        self.unmapped = unmapped
        self.withoutActivation = withoutActivation
        self.notes = notes
    }
}
