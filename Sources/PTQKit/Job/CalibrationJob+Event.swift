extension CalibrationJob {
    /// What a running job reports (on the thread that called ``CalibrationJob/run(events:)``).
    public enum Event: Sendable, Hashable {
        /// A phase begins.
        case phase(Phase)
        /// Progress over the whole current phase: bytes of all activation datasets, or weight tensors
        /// calibrated (`done` reaches `total` with the phase's last report), and the dataset being processed.
        case progress(done: Int, total: Int, detail: String)
        /// Something worth a look that does not stop the job (missing shards, degenerate ranges, ...).
        case warning(String)
        /// An activation file skipped with ``Options/keepGoing``.
        case skipped(FileProbe.Failure)
    }

    /// The phases of a job, in order (a job without activations or weights skips theirs).
    public enum Phase: String, Sendable, Hashable {
        /// Streaming the activation datasets through the observers (progress in bytes).
        case activations
        /// Calibrating the weights (progress in tensors).
        case weights
        /// Writing the package (progress in tensors).
        case writing
    }
}
