import ArgumentParser
import Foundation
import PTQKit

/// `ptq merge`: merges the statistics of shards into one file.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge shard statistics (.ptqstats) into one file, exactly and in any order.",
        discussion: """
            Every file is checked (SHA-256 of its body, so flipped bytes and truncation are caught, naming \
            the file). Refuses files observed with another configuration (exit 78), over other inputs or \
            another shard count, a shard given twice (overlapping rows), or missing shards (exit 65); \
            --allow-partial accepts missing shards and records them in the output. Merged files can be \
            merged again. The output is written atomically.
            """
    )

    @Argument(help: "The statistics files to merge.")
    var inputs: [String] = []

    @Option(name: [.short, .long], help: "The merged statistics file to write.")
    var output: String

    @Flag(help: "Accept missing shards (recorded in the output as missing).")
    var allowPartial = false

    @Flag(help: "Replace an existing output file.")
    var force = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give the statistics files to merge") }
    }

    func run() throws {
        try CommandPaths.requireInputs(inputs, command: "merge")
        try CommandPaths.requireOutputDirectory(output, command: "merge")
        do {
            // Never replace one of the files being merged, nor anything but a statistics file.
            try StatisticsFile.replacementRule(force: force, inputs: inputs).check(output, isDirectory: false)
            var files: [(path: String, file: StatisticsFile)] = []
            for path in inputs { files.append((path, try StatisticsFile.read(path))) }
            let merged = try StatisticsFile.merge(files, allowPartial: allowPartial)
            try merged.write(to: output, force: force, inputs: inputs)
            let b = merged.body
            var line =
                "ptq merge: \(output): \(b.shards.count) of \(b.plan.shardCount) shards from \(inputs.count) files"
            if !b.missingShards.isEmpty {
                line +=
                    """
                    ; missing shards \(b.missingShards.map(String.init).joined(separator: ", ")) (accepted with \
                    --allow-partial)
                    """
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } catch {
            FileHandle.standardError.write(Data("ptq merge: \(error)\n".utf8))
            throw Observe.exitCode(for: error)
        }
    }
}
