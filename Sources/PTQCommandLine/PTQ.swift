import ArgumentParser
import PTQKit

/// `ptq`: the command-line front end of PTQKit. Each subcommand parses, calls the library, and renders.
struct PTQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptq",
        abstract: "Post-training quantization calibration for tensors stored in HDF5.",
        version: ptqkitVersion,
        subcommands: [
            Calibrate.self, Inspect.self, Verify.self, Dequantize.self, Export.self, Report.self, Evaluate.self,
            Observe.self, Merge.self, Probe.self,
        ]
    )

    /// Checks the process's file-descriptor limit (``FileDescriptorLimit``), then parses the command line and
    /// runs the subcommand.
    static func main() {
        FileDescriptorLimit.ensure()
        main(nil)
    }
}
