import Foundation
public import PTQKit

/// The whole `ptq` tool as a library: a package with its own observers builds its `ptq` in a few lines.
///
/// ```swift
/// import PTQCommandLine
/// import PTQKit
///
/// PTQCommandLine.main { registry in
///     try registry.register(name: "mean-std", summary: "mean ± k·σ", defaults: MeanStdObserver.Options()) {
///         try MeanStdObserver(options: $0)
///     }
/// }
/// ```
///
/// Every subcommand (`calibrate`, `observe`, `merge`, `inspect`, `verify`, `dequantize`, and the hidden
/// `_probe` the crash isolation re-executes) then knows the registered observers by name.
public enum PTQCommandLine {
    /// Registers observers on top of the built-in ones, then parses the command line and runs the
    /// subcommand (exits the process). A registration that throws ends the process with exit 70.
    public static func main(registering register: (inout ObserverRegistry) throws -> Void = { _ in }) -> Never {
        var registry = ObserverRegistry.builtIn
        do { try register(&registry) } catch {
            FileHandle.standardError.write(Data("ptq: registering observers: \(error)\n".utf8))
            exit(ExitCodes.software.rawValue)
        }
        Registered.shared.set(registry)
        PTQ.main()
        exit(0)
    }

    /// The observers the subcommands use: the built-in ones plus those ``main(registering:)`` registered.
    static var observers: ObserverRegistry { Registered.shared.get() }

    /// The registry, set once before parsing.
    ///
    /// `@unchecked Sendable`: `registry` is read and written only while holding `lock`.
    private final class Registered: @unchecked Sendable {
        static let shared = Registered()
        private let lock = NSLock()
        private var registry = ObserverRegistry.builtIn

        func set(_ value: ObserverRegistry) { lock.withLock { registry = value } }
        func get() -> ObserverRegistry { lock.withLock { registry } }
    }
}
