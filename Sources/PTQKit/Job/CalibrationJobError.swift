public import Calibrator
public import PTQStats
public import PackageFormat

// The `wrap` overloads differ in the closure's thrown error type, which picks one unambiguously.
// swift-format-ignore: AmbiguousTrailingClosureOverload
/// Why a ``CalibrationJob`` failed: the error of the step that failed, unchanged (its description is
/// the step's own one-line message).
public enum CalibrationJobError: Error, CustomStringConvertible, Sendable {
    /// The configuration file is invalid.
    case config(ConfigError)
    /// The calibration failed (inputs, naming, observers, memory budget).
    case calibration(CalibrationError)
    /// The package could not be written, or an input could not be fingerprinted.
    case package(PackageError)
    /// The statistics file is unusable.
    case statistics(StatisticsFileError)
    /// An input crashed (or hung, or with keep-going failed) the probe.
    case probe(FileProbe.Failure)
    /// ``CancellationFlag/cancel()`` was called.
    case cancelled
    /// A value to record could not be encoded as JSON (an internal error).
    case unencodable(String)

    /// The step's error (``cancelled`` is its own).
    public var underlying: any Error {
        switch self {
        case .config(let e): e
        case .calibration(let e): e
        case .package(let e): e
        case .statistics(let e): e
        case .probe(let e): e
        case .cancelled, .unencodable: self
        }
    }

    /// The step's message.
    public var description: String {
        switch self {
        case .cancelled: "cancelled"
        case .unencodable(let what): "cannot encode \(what)"
        default: "\(underlying)"
        }
    }

    /// Runs `body`, wrapping its typed error.
    static func wrap<T>(_ body: () throws(ConfigError) -> T) throws(CalibrationJobError) -> T {
        do { return try body() } catch { throw .config(error) }
    }

    /// Runs `body`, wrapping its typed error.
    static func wrap<T>(_ body: () throws(CalibrationError) -> T) throws(CalibrationJobError) -> T {
        do { return try body() } catch { throw .calibration(error) }
    }

    /// Runs `body`, wrapping its typed error.
    static func wrap<T>(_ body: () throws(PackageError) -> T) throws(CalibrationJobError) -> T {
        do { return try body() } catch { throw .package(error) }
    }

    /// Runs `body`, wrapping its typed error.
    static func wrap<T>(_ body: () throws(StatisticsFileError) -> T) throws(CalibrationJobError) -> T {
        do { return try body() } catch { throw .statistics(error) }
    }
}
