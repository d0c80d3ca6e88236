import Foundation
import PTQKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The bad-input catalogue (issue 7): every case runs `ptq calibrate` or `ptq inspect` as a child process
/// and checks the documented exit code, the error category and a message naming the file and the dataset
/// or configuration key, that nothing crashed (no signal), and that no output appeared — or, for inputs
/// that are accepted, that the package holds only finite parameters and finite dequantized values.
///
/// File fixtures come from `Tests/Fixtures/make_badinput_fixtures.py` (`Tests/Fixtures/badinput/`);
/// truncations, empty files, directories, text files and configurations are made here in a scratch
/// directory. What the accepted degenerate inputs yield (default config, minmax; W8A8 alike):
///
/// | input | weight (int8 per channel, symmetric) | activation (int8 per tensor, asymmetric) |
/// |---|---|---|
/// | NaN only | range [0, 0] → scale 1, codes 0, "degenerate" warning | scale 1, zero point 0, NaN counted |
/// | ±Inf among finite values | Inf counted and skipped; scale from the finite values | same |
/// | all zero | scale 1, codes 0, warning | scale 1, zero point 0, warning |
/// | constant c | scale c/127, codes 127 | range [0, c] (zero always representable) |
/// | single element | as constant, one channel | as constant |
/// | near ±Float.greatestFiniteMagnitude | scale ≤ FLT_MAX/128 so every code dequantizes finite | same |
/// | subnormal only | below the minimum scale 2^-126 → scale 1, codes 0, warning | same |
/// | zero-length activation | scale 1, zero point 0, element count 0, warning | — |
/// | scalar (rank 0) | not a weight matrix or kernel: stored in float with a note | as constant |
@Suite struct BadInputCatalogueTests {
    static let fixtures = "Tests/Fixtures/badinput"
    static let weights = "\(fixtures)/valid_weights.h5"
    static let activations = "\(fixtures)/valid_activations.h5"

    /// A file a case creates in its scratch directory before running.
    enum Made: Sendable {
        /// The first `bytes` bytes of a fixture (relative to the repository).
        case truncated(String, bytes: Int)
        /// A file with this text (empty for an empty file).
        case text(String)
        /// An empty directory.
        case directory
        /// A package calibrated from these weights (by `ptq calibrate`).
        case package(weights: String)
        /// A FIFO (named pipe) nobody writes to.
        case fifo
        /// A copy of a fixture (relative to the repository).
        case copy(String)
        /// A weights file of this many datasets `/layer<i>/weight` of 4 × 4 float32 values.
        case tinyWeights(Int)
    }

    /// What a case must end with.
    enum Outcome: Sendable {
        /// Exit `status`; stderr names each of `mentions` and the `category` words; no output.
        case failure(status: Int32, category: String, mentions: [String])
        /// Exit 0; a verifiable package with finite parameters whose `--json` warnings contain `warning`;
        /// every reachable code dequantizes finite unless `referenceOverflow` (a compatibility profile
        /// reproducing its reference at ±FLT_MAX: then only the scales and zero points are checked).
        case accepted(warning: String?, referenceOverflow: Bool = false)
        /// Exit 64 (a bad command line, printed with the usage); stderr names each of `mentions`; no output.
        case usage(mentions: [String])
    }

    /// One case: the subcommand's arguments, where `@` stands for the case's scratch directory.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var made: [String: Made] = [:]
        var outcome: Outcome
        /// Runs the command under `/bin/sh` with this prefix (for `ulimit`).
        var shellPrefix: String?
        /// Kills the command (SIGKILL, which fails the case) after this many seconds: for inputs that hung.
        var timeout: Int?
        var testDescription: String { name }
    }

    // MARK: - The catalogue

    static func calibrate(_ name: String, _ arguments: [String], made: [String: Made] = [:], _ outcome: Outcome) -> Case
    {
        Case(
            name: "calibrate: \(name)",
            arguments: ["calibrate", "--quiet", "--json", "--output", "@/out/p"] + arguments,
            made: made, outcome: outcome)
    }

    static func inspect(_ name: String, _ file: String, made: [String: Made] = [:], _ outcome: Outcome) -> Case {
        Case(name: "inspect: \(name)", arguments: ["inspect", "--stats", file], made: made, outcome: outcome)
    }

    static func failure(_ status: Int32, _ category: String, _ mentions: String...) -> Outcome {
        .failure(status: status, category: category, mentions: mentions)
    }

    /// Unusable files, each as weights, as activations, and through `ptq inspect`.
    static let fileCases: [Case] = {
        let valid = try? FileManager.default.attributesOfItem(
            atPath: PTQProcess.repository.appendingPathComponent(weights).path)
        let size = (valid?[.size] as? Int) ?? 4752
        var files: [(String, String, [String: Made], Outcome)] = [
            ("missing file", "@/missing.h5", [:], failure(66, "no such file", "@/missing.h5")),
            (
                "directory instead of a file", "@/dir.h5", ["dir.h5": .directory],
                failure(65, "is a directory", "@/dir.h5")
            ),
            (
                "text file", "@/notes.h5", ["notes.h5": .text("weights: none\n")],
                failure(65, "not an HDF5 file", "@/notes.h5")
            ),
            ("empty file", "@/empty.h5", ["empty.h5": .text("")], failure(65, "not an HDF5 file", "@/empty.h5")),
        ]
        // Cut inside the signature, the superblock, the object headers, the data, and the last byte: all
        // fail when the file is opened (libhdf5 compares the superblock's end-of-file address with the size).
        for cut in [4, 8, 100, 512, 2000, size / 2, size - 1] {
            files.append(
                (
                    "truncated at \(cut) of \(size) bytes", "@/cut\(cut).h5",
                    ["cut\(cut).h5": .truncated(weights, bytes: cut)],
                    failure(65, cut < 8 ? "not an HDF5 file" : "opening the file failed", "@/cut\(cut).h5")
                ))
        }
        var cases = files.flatMap { name, file, made, outcome in
            [
                calibrate("\(name) as weights", ["--weights", file], made: made, outcome),
                calibrate("\(name) as activations", ["--activations", file], made: made, outcome),
                inspect(name, file, made: made, outcome),
            ]
        }
        // Written by HDF5 2.0 with libver='latest' and a filter: the layout message is too new for 1.10.
        for role in ["weights", "activations"] {
            let file = "\(fixtures)/newer_format_\(role).h5"
            let outcome = failure(65, "newer HDF5 format", role == "weights" ? "\(file):/fc/weight" : "\(file):/fc")
            cases.append(calibrate("newer HDF5 format as \(role)", ["--\(role)", file], outcome))
            cases.append(inspect("newer HDF5 format (\(role))", file, outcome))
        }
        // Valid HDF5 whose datasets map to no layer: nothing to calibrate.
        cases.append(
            calibrate(
                "activations file given as weights (no dataset maps to a layer)", ["--weights", activations],
                failure(66, "nothing to calibrate", activations)))
        return cases
    }()

    /// Element types, shapes and values, as weights (with the valid activations) and as activations
    /// (with the valid weights).
    static let datasetCases: [Case] = {
        var cases: [Case] = []
        func both(_ kind: String, weight: Outcome, activation: Outcome) {
            cases.append(
                calibrate(
                    "\(kind) weights", ["--weights", "\(fixtures)/weights_\(kind).h5", "--activations", activations],
                    weight))
            cases.append(
                calibrate(
                    "\(kind) activations",
                    ["--weights", weights, "--activations", "\(fixtures)/activations_\(kind).h5"], activation))
        }
        for kind in ["string", "compound", "enum", "bool"] {
            both(
                kind, weight: failure(65, "element type is \(kind)", "weights_\(kind).h5:/fc/weight"),
                activation: failure(65, "\(kind) elements", "activations_\(kind).h5:/fc"))
        }
        for kind in [
            "int8", "int32", "uint8", "float64", "float16", "bigendian_float32", "bigendian_float64", "bigendian_int16",
        ] {
            both(kind, weight: .accepted(warning: nil), activation: .accepted(warning: nil))
        }
        both(
            "zero_length", weight: failure(65, "empty", "weights_zero_length.h5:/fc/weight"),
            activation: .accepted(warning: "activation range is degenerate"))
        both(
            // Not a weight matrix or kernel: kept in float (issue 14); a configured axis beyond a kernel's
            // rank is still refused (layoutCases).
            "scalar", weight: .accepted(warning: nil), activation: .accepted(warning: nil))
        let degenerate: [String: String?] = [
            "nan_only": "degenerate", "inf_laden": nil, "all_zero": "degenerate", "constant": nil,
            "single_element": nil,
            "near_max": nil, "extremes": nil, "subnormal": "degenerate",
        ]
        for (kind, warning) in degenerate.sorted(by: { $0.key < $1.key }) {
            for config in ["Configs/int8.yaml", "Configs/w8a8-per-channel.yaml", "Configs/w4-per-group.yaml"] {
                cases.append(
                    calibrate(
                        "\(kind) weights and activations, \(config)",
                        [
                            "--weights", "\(fixtures)/weights_\(kind).h5", "--activations",
                            "\(fixtures)/activations_\(kind).h5",
                            "--config", config,
                        ], .accepted(warning: warning)))
            }
        }
        // The other observers (histogram bins, percentiles, KL thresholds, moving averages) on the same values.
        for (kind, warning) in degenerate.sorted(by: { $0.key < $1.key }) {
            for observer in ["histogram", "percentile", "entropy", "moving-average-minmax"] {
                cases.append(
                    calibrate(
                        "\(kind) weights and activations, observer \(observer)",
                        [
                            "--weights", "\(fixtures)/weights_\(kind).h5", "--activations",
                            "\(fixtures)/activations_\(kind).h5",
                            "--config", "@/c.yaml",
                        ],
                        made: [
                            "c.yaml": .text(
                                "version: 1\nweights:\n  observer: \(observer)\nactivations:\n  observer: \(observer)\n"
                            )
                        ],
                        .accepted(warning: warning)))
            }
        }
        // PyTorch numerics (Float32 formula) overflow on (hi − lo) at ±FLT_MAX: the ptqkit formula is used
        // for that range, so the scale stays finite (before, the manifest could not be encoded: exit 65).
        // The profile otherwise reproduces PyTorch, whose extreme codes can dequantize to ±Inf.
        for kind in ["extremes", "near_max"] {
            cases.append(
                calibrate(
                    "\(kind) activations, Configs/w8a8-pytorch.json",
                    ["--activations", "\(fixtures)/activations_\(kind).h5", "--config", "Configs/w8a8-pytorch.json"],
                    .accepted(warning: nil, referenceOverflow: true)))
        }
        cases.append(
            calibrate(
                "NaN-only activations with nan-policy: error",
                ["--activations", "\(fixtures)/activations_nan_only.h5", "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nnan-policy: error\n")],
                failure(65, "non-finite values", "activations_nan_only.h5:/fc")))
        cases.append(
            calibrate(
                "Inf-laden weights with nan-policy: error",
                ["--weights", "\(fixtures)/weights_inf_laden.h5", "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nnan-policy: error\n")],
                failure(65, "non-finite values", "weights_inf_laden.h5:/fc/weight")))
        return cases
    }()

    /// Layer names: mismatches, duplicates, names that look like paths.
    static let namingCases: [Case] = [
        calibrate(
            "layer names differ, naming.unmatched default (warn)",
            ["--weights", weights, "--activations", "\(fixtures)/activations_other_layer.h5"],
            .accepted(warning: "activation dataset /other has no weight")),
        calibrate(
            "layer names differ, naming.unmatched: error",
            ["--weights", weights, "--activations", "\(fixtures)/activations_other_layer.h5", "--config", "@/c.yaml"],
            made: ["c.yaml": .text("version: 1\nnaming:\n  unmatched: error\n")],
            failure(78, "do not match", "valid_weights.h5:/fc/weight", "activations_other_layer.h5:/other")),
        calibrate(
            "two datasets map to the same layer", ["--weights", "\(fixtures)/weights_duplicate_layer.h5"],
            failure(
                78, "all map to its weight", "weights_duplicate_layer.h5:/fc/weight",
                "weights_duplicate_layer.h5:/fc.weight")),
        calibrate(
            "layer name ../x from the files",
            [
                "--weights", "\(fixtures)/weights_escaping_names.h5", "--activations",
                "\(fixtures)/activations_escaping_names.h5",
            ],
            .accepted(warning: nil)),
        calibrate(
            "absolute layer name /x from naming.map", ["--weights", weights, "--config", "@/c.yaml"],
            made: [
                "c.yaml": .text(
                    """
                    version: 1\nnaming:\n  map:\n    /fc/weight: {layer: /x, role: weight}\n    /fc/bias: {layer: /x, \
                    role: bias}\n
                    """
                )
            ],
            .accepted(warning: nil)),
        calibrate(
            "layer name with NUL from naming.map", ["--weights", weights, "--config", "@/c.json"],
            made: [
                "c.json": .text(
                    #"{"version": 1, "naming": {"map": {"/fc/weight": {"layer": "a\u0000b", "role": "weight"}}}}"#)
            ],
            failure(78, "control characters", "@/c.json", "naming.map./fc/weight.layer")),
        calibrate(
            "layer name with a newline from naming.rules", ["--weights", weights, "--config", "@/c.yaml"],
            made: [
                "c.yaml": .text(
                    "version: 1\nnaming:\n  rules:\n    - {pattern: '(.*)/weight', layer: \"$1\\n\", role: weight}\n")
            ],
            failure(78, "control characters", "@/c.yaml:4", "naming.rules[0].layer")),
    ]

    /// Configuration errors, each naming the file and the key path.
    static let configCases: [Case] = {
        // (name, file, text, category, key path with the file's line where the parser knows it)
        var texts: [(String, String, String, String, String)] = [
            ("unknown key", "c.yaml", "version: 1\nweights:\n  bitz: 8\n", "unknown key", "c.yaml:3:9: weights.bitz"),
            (
                "unknown nested key", "c.yaml",
                "version: 1\noverrides:\n  - match: fc\n    weights: {sheme: symmetric}\n", "unknown key",
                "c.yaml:4:22: overrides[0].weights.sheme"
            ),
            (
                "unknown observer", "c.yaml", "version: 1\nactivations:\n  observer: kl\n", "unknown observer",
                "c.yaml:3:13: activations.observer.name"
            ),
            (
                "wrong type (YAML)", "c.yaml", "version: 1\nweights:\n  bits: eight\n", "wrong type",
                "c.yaml:3:9: weights.bits"
            ),
            (
                "wrong type (JSON)", "c.json", #"{"version": 1, "weights": {"bits": "8"}}"#, "wrong type",
                "c.json: weights.bits"
            ),
            ("wrong type of a section", "c.yaml", "version: 1\nweights: 8\n", "wrong type", "c.yaml:2:10: weights"),
            ("malformed YAML", "c.yaml", "version: 1\nweights: [1, 2\n", "malformed", "c.yaml:3:1: (document)"),
            ("malformed JSON", "c.json", #"{"version": 1, "weights": {"bits": 8}"#, "malformed", "c.json: (document)"),
            (
                "invalid naming.unmatched", "c.yaml", "version: 1\nnaming:\n  unmatched: sometimes\n", "invalid value",
                "c.yaml:3:14: naming.unmatched"
            ),
        ]
        for bits in [0, 1, 17, 33] {
            texts.append(
                (
                    "bits \(bits)", "c.yaml", "version: 1\nweights:\n  bits: \(bits)\n", "invalid value",
                    "c.yaml:3:9: weights.bits"
                ))
        }
        for percentile in ["0", "-1", "100.5", "101"] {
            texts.append(
                (
                    "percentile \(percentile)", "c.yaml",
                    "version: 1\nactivations:\n  observer: {name: percentile, options: {percentile: \(percentile)}}\n",
                    "invalid options", "c.yaml:3:41: activations.observer.options"
                ))
        }
        for size in [0, -4] {
            texts.append(
                (
                    "group size \(size)", "c.yaml",
                    "version: 1\nweights:\n  granularity: per-group\n  group-size: \(size)\n",
                    "invalid value", "c.yaml:4:15: weights.group-size"
                ))
        }
        var cases = texts.map { name, file, text, category, key in
            calibrate(
                "config: \(name)", ["--weights", weights, "--activations", activations, "--config", "@/\(file)"],
                made: [file: .text(text)], failure(78, category, "@/\(key)"))
        }
        cases += [
            calibrate(
                "config: missing file", ["--weights", weights, "--config", "@/none.yaml"],
                failure(66, "no such file or directory", "@/none.yaml")),
            calibrate(
                "per-channel axis 2 of a rank-2 weight", ["--weights", weights, "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nweights:\n  axis: 2\n")],
                failure(65, "axis 2 out of range", "valid_weights.h5:/fc/weight")),
            calibrate(
                "per-channel axis -3 of a rank-2 weight (with a bias to scale)",
                ["--weights", weights, "--activations", activations, "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nweights:\n  axis: -3\n")],
                failure(65, "axis -3 out of range", "valid_weights.h5:/fc/weight")),
            // Accepted: the last group is shorter (ceil(8 / 3) = 3 groups per row), as the package format says.
            calibrate(
                "group size 3 does not divide 8 channels", ["--weights", weights, "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nweights:\n  granularity: per-group\n  axis: 1\n  group-size: 3\n")],
                .accepted(warning: nil)),
        ]
        return cases
    }()

    /// Output paths that cannot be used.
    static let outputCases: [Case] = [
        Case(
            name: "output parent missing",
            arguments: ["calibrate", "--quiet", "--weights", weights, "--output", "@/out/missing/p"],
            outcome: failure(73, "directory @/out/missing does not exist", "@/out/missing/p")),
        Case(
            name: "output parent is a file",
            arguments: ["calibrate", "--quiet", "--weights", weights, "--output", "@/out/file/p"],
            made: ["out/file": .text("x")], outcome: failure(73, "is not a directory", "@/out/file/p")),
        Case(
            name: "output exists without --force",
            arguments: ["calibrate", "--quiet", "--weights", weights, "--output", "@/out/p"],
            made: ["out/p": .directory], outcome: failure(73, "--force", "@/out/p")),
        Case(
            name: "disk full: file size limit while writing tensors.h5",
            arguments: ["calibrate", "--quiet", "--weights", "Calibration/weights.h5", "--output", "@/out/p"],
            outcome: failure(73, "File too large", "@/out/p", "tensors.h5"),
            shellPrefix: "trap '' XFSZ; ulimit -f 16;"),
        Case(
            name: "disk full: ptq dequantize", arguments: ["dequantize", "@/pkg", "-o", "@/out/r.h5"],
            made: ["pkg": .package(weights: "Calibration/weights.h5")],
            outcome: failure(73, "File too large", "@/out/r.h5"), shellPrefix: "trap '' XFSZ; ulimit -f 8;"),
        Case(
            name: "disk full: ptq observe",
            arguments: ["observe", "--quiet", "--activations", "Calibration/activations.h5", "-o", "@/out/s.ptqstats"],
            outcome: failure(73, "File too large", "@/out/s.ptqstats"), shellPrefix: "trap '' XFSZ; ulimit -f 1;"),
    ]

    /// Inputs libhdf5 reads without an error into wrong values (issue 20, items 8, 9 and 12): refused
    /// naming the file, the dataset and the cause, or read correctly.
    static let silentlyWrongCases: [Case] = {
        let beyond = "\(fixtures)/weights_beyond_float32.h5"
        let nanPolicyError: [String: Made] = ["c.yaml": .text("version: 1\nnan-policy: error\n")]
        return [
            // float64 values beyond ±3.4028235e38 became +Inf, then a clamped code, with a good SQNR.
            calibrate(
                "float64 weight 3.5e38 (beyond float32's range)", ["--weights", beyond],
                failure(65, "1 of 4 float64 elements are out of float32 range", "\(beyond):/fc/weight", "3.5e+38")),
            calibrate(
                "float64 weight 1e300", ["--weights", "\(fixtures)/weights_float64_1e300.h5"],
                failure(65, "out of float32 range", "weights_float64_1e300.h5:/fc/weight", "1e+300 at flat index 21")),
            calibrate(
                "float64 activation -1e39",
                ["--weights", weights, "--activations", "\(fixtures)/activations_beyond_float32.h5"],
                failure(65, "out of float32 range", "activations_beyond_float32.h5:/fc", "-1e+39 at flat index 75")),
            // nan-policy: error named "+Inf 1" for a file without any Inf.
            calibrate(
                "float64 weight 3.5e38 with nan-policy: error", ["--weights", beyond, "--config", "@/c.yaml"],
                made: nanPolicyError, failure(65, "out of float32 range", "\(beyond):/fc/weight", "3.5e+38")),
            inspect(
                "float64 beyond float32's range", beyond, failure(65, "out of float32 range", "\(beyond):/fc/weight")),
            // Real NaN/Inf in float64: skipped, warned about and counted (SilentlyWrongOutputTests checks the counts).
            calibrate(
                "float64 weights with NaN and +Inf", ["--weights", "\(fixtures)/weights_float64_nonfinite.h5"],
                .accepted(warning: "has 3 non-finite of 32 elements (NaN 1, +Inf 2, -Inf 0)")),
            calibrate(
                "float64 weights with NaN and +Inf, nan-policy: error",
                ["--weights", "\(fixtures)/weights_float64_nonfinite.h5", "--config", "@/c.yaml"], made: nanPolicyError,
                failure(65, "non-finite values", "weights_float64_nonfinite.h5:/fc/weight", "NaN 1", "+Inf 2")),
            // A virtual dataset whose source file is gone read as its fill value 7 (scale 7/127).
            calibrate(
                "virtual dataset whose source file is missing", ["--weights", "\(fixtures)/weights_vds_missing.h5"],
                failure(
                    66, "virtual dataset source 'vds_missing_source.h5:w' is missing",
                    "weights_vds_missing.h5:/fc/weight")),
            inspect(
                "virtual dataset whose source file is missing", "\(fixtures)/weights_vds_missing.h5",
                failure(
                    66, "virtual dataset source 'vds_missing_source.h5:w' is missing",
                    "weights_vds_missing.h5:/fc/weight")),
            calibrate(
                "virtual dataset whose source exists", ["--weights", "\(fixtures)/weights_vds.h5"],
                .accepted(warning: nil)),
            // A dangling external link dropped its layer silently; one that resolves was ignored.
            calibrate(
                "dangling external link", ["--weights", "\(fixtures)/weights_dangling_external.h5"],
                failure(
                    66, "the external link to 'missing_target.h5:/w' dangles",
                    "weights_dangling_external.h5:/fc2/weight")),
            calibrate(
                "external link that resolves", ["--weights", "\(fixtures)/weights_external.h5"], .accepted(warning: nil)
            ),
        ]
    }()

    /// Inputs that crashed, hung or took unbounded memory (issue 20), each killed after a time limit.
    static let limitCases: [Case] = {
        func limited(
            _ name: String, _ arguments: [String], made: [String: Made] = [:], _ outcome: Outcome,
            prefix: String? = nil,
            timeout: Int = 90
        ) -> Case {
            Case(name: name, arguments: arguments, made: made, outcome: outcome, shellPrefix: prefix, timeout: timeout)
        }
        let observe = ["observe", "--quiet", "--activations", activations, "-o", "@/out/s.ptqstats"]
        let calibrate = ["calibrate", "--quiet", "--json", "--output", "@/out/p"]
        let huge = "\(fixtures)/weights_declared_1gib.h5"
        let huger = "\(fixtures)/weights_declared_8gib.h5"
        let wholeRead: [String: Made] = ["c.yaml": .text("version: 1\nweights:\n  observer: moving-average-minmax\n")]
        // 9 anchors of 9 aliases each: 9^9 ≈ 387 million nodes from under 500 bytes.
        var bomb = "      a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            bomb +=
                "      a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }
        let longName = String(repeating: "a", count: 28)
        var cases: [Case] = [
            // Item 4: shard counts.
            limited(
                "observe --shard K/N near Int.max", observe + ["--shard", "9223372036854775806/9223372036854775807"],
                .usage(mentions: ["at most 100000", "9223372036854775806/9223372036854775807"])),
            limited(
                "observe --shard 0/1000000000", observe + ["--shard", "0/1000000000"],
                .usage(mentions: ["at most 100000"])),
            // Item 7: threads.
            limited(
                "calibrate --threads 40000",
                calibrate + ["--weights", weights, "--activations", activations, "--threads", "40000"],
                .usage(mentions: ["--threads 40000", "at most 256"])),
            limited(
                "calibrate --threads 256 with no room for their stacks (ulimit -v)",
                calibrate + ["--weights", weights, "--activations", activations, "--threads", "256"],
                failure(70, "cannot start a worker thread"), prefix: "ulimit -v 400000;"),
            // Items 3 and 5: weights declared far larger than their files. Weights are streamed in blocks
            // (issue #17) unless their observer needs the whole tensor at once (moving-average-minmax): those
            // are still refused when they cannot fit the budget or cannot be allocated. Streamed ones are
            // accepted in bounded memory (WeightMemoryTests).
            limited(
                "1 GiB declared weight read whole under ulimit -v 1000000",
                calibrate + ["--weights", huge, "--config", "@/c.yaml"], made: wholeRead,
                failure(65, "weight memory budget", "\(huge):/fc/weight", "1073741824 bytes", "ulimit -v"),
                prefix: "ulimit -v 1000000;"),
            limited(
                "1 GiB declared weight read whole, --memory-budget 4G, under ulimit -v 1000000 (unprobed)",
                calibrate + ["--weights", huge, "--memory-budget", "4G", "--config", "@/c.yaml"], made: wholeRead,
                failure(65, "cannot allocate", "\(huge):/fc/weight", "1073741824 bytes"),
                prefix: "ulimit -v 1000000; PTQ_PROBE=off; export PTQ_PROBE;"),
            limited(
                "1 GiB declared weight read whole over --memory-budget 256M",
                calibrate + ["--weights", huge, "--memory-budget", "256M", "--config", "@/c.yaml"], made: wholeRead,
                failure(
                    65, "weight memory budget", "\(huge):/fc/weight", "1073741824 bytes", "268435456 bytes",
                    "--memory-budget")),
            limited(
                "8 GiB declared weight (65536 x 32769) read whole",
                calibrate + ["--weights", huger, "--memory-budget", "4G", "--config", "@/c.yaml"], made: wholeRead,
                failure(65, "weight memory budget", "\(huger):/fc/weight", "8590196736 bytes")),
            // Smaller ones: 5000 tiny datasets (100k took 1.8 GB, about 19 KB each; WeightMemoryTests bounds it).
            limited(
                "5000 tiny datasets", calibrate + ["--weights", "@/tiny.h5"], made: ["tiny.h5": .tinyWeights(5000)],
                .accepted(warning: nil), timeout: 300),
            // Item 3: file descriptors.
            limited(
                "ulimit -n 20", calibrate + ["--weights", weights, "--activations", activations],
                failure(70, "open-file limit is 20", "ulimit -n"), prefix: "ulimit -n 20;"),
            // 40 descriptors inherited open (python3 marks them inheritable, then execs what follows "exec").
            limited(
                "ulimit -n 64 with 40 descriptors already open",
                calibrate + ["--weights", weights, "--activations", activations],
                failure(70, "are open already", "ulimit -n"),
                prefix: "ulimit -n 64; exec /usr/bin/python3 -c 'import os, sys; "
                    + "[os.set_inheritable(os.open(\"/dev/null\", os.O_RDONLY), True) for _ in range(40)]; "
                    + "os.execvp(sys.argv[2], sys.argv[2:])'"),
            // Item 6: YAML alias expansion, inside observer.options and at the top.
            limited(
                "YAML alias bomb in observer.options", calibrate + ["--weights", weights, "--config", "@/c.yaml"],
                made: [
                    "c.yaml": .text("version: 1\nactivations:\n  observer:\n    name: minmax\n    options:\n" + bomb)
                ],
                failure(78, "expands to more than 100000 nodes", "@/c.yaml:", "activations.observer.options.a")),
            limited(
                "YAML alias bomb at the top level", calibrate + ["--weights", weights, "--config", "@/c.yaml"],
                made: ["c.yaml": .text("version: 1\nbomb:\n" + bomb.replacingOccurrences(of: "      ", with: "  "))],
                failure(78, "expands to more than 100000 nodes", "@/c.yaml:", "bomb.a")),
            // Smaller ones: the naming regex, FIFOs.
            limited(
                "catastrophic naming pattern (a+)+$",
                calibrate + ["--weights", "\(fixtures)/weights_long_a_name.h5", "--config", "@/c.yaml"],
                made: [
                    "c.yaml": .text(
                        "version: 1\nnaming:\n  rules:\n    - {pattern: '(a+)+$', layer: x, role: weight}\n")
                ],
                failure(
                    78, "did not finish matching", "naming.rules[0].pattern",
                    "weights_long_a_name.h5:/\(longName)/weight")),
        ]
        for (role, arguments) in [
            ("weights", calibrate + ["--weights", "@/in.h5"]),
            ("activations", calibrate + ["--activations", "@/in.h5"]),
            ("ptq inspect", ["inspect", "--stats", "@/in.h5"]),
        ] {
            cases.append(
                limited(
                    "FIFO as \(role)", arguments, made: ["in.h5": .fifo], failure(65, "is a FIFO", "@/in.h5"),
                    timeout: 60))
        }
        return cases
    }()

    /// Configuration and argument checks of issue 20: JSON strictness, axis, repeated inputs, --force.
    static let strictnessCases: [Case] = [
        calibrate(
            "config: JSON duplicate key", ["--weights", weights, "--config", "@/c.json"],
            made: ["c.json": .text(#"{"version": 1, "weights": {"bits": 8, "bits": 4}}"#)],
            failure(78, "duplicate key 'bits'", "@/c.json:1:39: weights.bits")),
        calibrate(
            "config: JSON duplicate key (escaped spelling) in observer options",
            ["--weights", weights, "--config", "@/c.json"],
            made: [
                "c.json": .text(
                    #"{"version": 1, "weights": {"observer": {"name": "minmax", "options": {"a": 1, "\u0061": 2}}}}"#)
            ],
            failure(78, "duplicate key 'a'", "@/c.json:1:79: weights.observer.options.a")),
        calibrate(
            "config: JSON trailing comma in an object", ["--weights", weights, "--config", "@/c.json"],
            made: ["c.json": .text(#"{"version": 1, "weights": {"bits": 8, }}"#)],
            failure(78, "trailing comma", "@/c.json:1:37: weights")),
        calibrate(
            "config: JSON trailing comma in an array", ["--weights", weights, "--config", "@/c.json"],
            made: ["c.json": .text(#"{"version": 1, "overrides": [{"match": "fc", "weights": {"bits": 8}}, ]}"#)],
            failure(78, "trailing comma", "@/c.json:1:69: overrides")),
        calibrate(
            "config: axis 99", ["--weights", weights, "--config", "@/c.yaml"],
            made: ["c.yaml": .text("version: 1\nweights:\n  axis: 99\n")],
            failure(78, "invalid value '99'", "@/c.yaml:3:9: weights.axis")),
        calibrate(
            "config: axis -33 in an override", ["--weights", weights, "--config", "@/c.yaml"],
            made: ["c.yaml": .text("version: 1\noverrides:\n  - match: fc\n    weights: {axis: -33}\n")],
            failure(78, "invalid value '-33'", "@/c.yaml:4:21: overrides[0].weights.axis")),
        calibrate(
            "the same activation file twice", ["--activations", activations, "--activations", activations],
            .accepted(warning: "is given more than once: it is read once")),
        calibrate(
            "one activation file under two paths", ["--activations", activations, "--activations", "./\(activations)"],
            .accepted(warning: "are the same file: it is read once")),
        Case(
            name: "output is a file, with --force",
            arguments: ["calibrate", "--quiet", "--weights", weights, "--output", "@/out/p", "--force"],
            made: ["out/p": .text("x")],
            outcome: failure(73, "--force will not replace it: it is not a directory", "@/out/p")),
        Case(
            name: "dequantize output is a directory, with --force",
            arguments: ["dequantize", "@/pkg", "-o", "@/out/d", "--force"],
            made: ["pkg": .package(weights: weights), "out/d": .directory],
            outcome: failure(73, "--force will not replace it: it is not a regular file", "@/out/d")),
    ]

    static let allCases =
        fileCases + datasetCases + namingCases + configCases + outputCases + silentlyWrongCases
        + limitCases + strictnessCases + layoutCases

    // MARK: - Running a case

    @Test(arguments: allCases)
    func catalogue(_ c: Case) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptq-bad-\(UUID().uuidString)").path
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(scratch)/out", withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: scratch) }
        for (name, made) in c.made {
            let path = "\(scratch)/\(name)"
            switch made {
            case .truncated(let source, let bytes):
                let data = try Data(contentsOf: PTQProcess.repository.appendingPathComponent(source))
                try data.prefix(bytes).write(to: URL(fileURLWithPath: path))
            case .text(let text):
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            case .directory:
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
                if name.hasPrefix("out/") { try Data("old".utf8).write(to: URL(fileURLWithPath: "\(path)/keep")) }
            case .package(let weights):
                let made = try PTQProcess.run(["calibrate", "--quiet", "--weights", weights, "--output", path])
                try #require(made.status == 0, "\(made.stderr)")
            case .fifo:
                try #require(mkfifo(path, 0o600) == 0, "mkfifo \(path)")
            case .tinyWeights(let count):
                try WeightMemoryTests.writeTinyWeights(count, to: path)
            case .copy(let source):
                try manager.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try manager.copyItem(atPath: PTQProcess.repository.appendingPathComponent(source).path, toPath: path)
            }
        }
        let before = try manager.contentsOfDirectory(atPath: "\(scratch)/out").sorted()
        let arguments = c.arguments.map { $0.replacingOccurrences(of: "@", with: scratch) }
        let result: PTQProcess.Result
        if c.shellPrefix != nil || c.timeout != nil {
            let ptq = try #require(PTQProcess.executable).path
            let quoted = ([ptq] + arguments).map { "'\($0)'" }.joined(separator: " ")
            // coreutils timeout: exit 128 + 9 when it had to kill the command.
            let limit = c.timeout.map { "timeout -s KILL \($0) " } ?? ""
            result = try PTQProcess.run(program: "/bin/sh", ["-c", "\(c.shellPrefix ?? "") exec \(limit)\(quoted)"])
        } else {
            result = try PTQProcess.run(arguments)
        }
        let stderr = result.stderr.replacingOccurrences(of: scratch, with: "@")
        #expect(result.status < 128, "killed by signal \(result.status - 128): \(stderr)")
        #expect(!stderr.contains("Fatal error") && !stderr.contains("crashed"), "\(stderr)")
        if c.arguments.contains("--force") { #expect(!stderr.contains("use --force"), "\(stderr)") }
        // No temporary file or directory of an output is left behind, whatever the outcome.
        let leftovers = try manager.contentsOfDirectory(atPath: "\(scratch)/out").filter { $0.contains(".ptq-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        let after = try manager.contentsOfDirectory(atPath: "\(scratch)/out").sorted()
        switch c.outcome {
        case .failure(let status, let category, let mentions):
            #expect(result.status == status, "\(stderr)")
            #expect(stderr.contains(category), "category '\(category)': \(stderr)")
            for mention in mentions { #expect(stderr.contains(mention), "'\(mention)' not named: \(stderr)") }
            // One error line per failure, no libhdf5 stack spread over lines.
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(after == before, "output directory changed: \(before) → \(after)")
            if case .directory? = c.made["out/p"] {
                #expect(try String(contentsOfFile: "\(scratch)/out/p/keep", encoding: .utf8) == "old")
            }
        case .usage(let mentions):
            #expect(result.status == 64, "\(stderr)")
            for mention in mentions { #expect(stderr.contains(mention), "'\(mention)' not named: \(stderr)") }
            #expect(after == before, "output directory changed: \(before) → \(after)")
        case .accepted(let warning, let referenceOverflow):
            #expect(result.status == 0, "\(stderr)")
            try #require(result.status == 0)
            #expect(after == ["p"], "\(after)")
            // A run with weights also keeps their skeleton (for ptq dequantize).
            let manifest = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(scratch)/out/p/manifest.json")))
            let inputs = ((manifest as? [String: Any])?["inputs"] as? [[String: Any]]) ?? []
            let skeleton = inputs.contains { $0["role"] as? String == "weights" } ? ["skeleton.h5"] : []
            #expect(
                try manager.contentsOfDirectory(atPath: "\(scratch)/out/p").sorted()
                    == ["manifest.json"] + skeleton + ["summary.md", "tensors.h5"])
            let json = try PTQProcess.json(result.stdout)
            let warnings = (json["warnings"] as? [String]) ?? []
            if let warning { #expect(warnings.contains { $0.contains(warning) }, "\(warnings)") }
            try Self.requireFiniteParameters("\(scratch)/out/p", dequantized: !referenceOverflow)
            let verify = try PTQProcess.run(["verify", "\(scratch)/out/p"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        }
    }

    /// Every scale of the package is finite and > 0, every zero point within the codes, and every tensor
    /// dequantizes to finite values (s·(q − z) never overflows).
    static func requireFiniteParameters(_ package: String, dequantized: Bool) throws {
        let reader = try PackageReader(path: package)
        for record in reader.manifest.tensors {
            // int32 biases: checked dequantized
            if record.encoding == .affine, let q = record.quantization, q.bits <= 16 {
                let p = try reader.parameters(of: record)
                #expect(p.scales.allSatisfy { $0.isFinite && $0 > 0 }, "\(record.dataset): \(p.scales)")
                #expect(p.zeroPoints.allSatisfy { (p.format.qmin...p.format.qmax).contains($0) }, "\(record.dataset)")
            }
            guard dequantized else { continue }
            let values = try reader.dequantized(record)
            #expect(values.allSatisfy { $0.isFinite }, "\(record.dataset) dequantizes to non-finite values")
        }
        for layer in reader.manifest.layers {
            guard let a = layer.activation else { continue }
            let scale = try #require(a.scale, "\(layer.name): per-tensor scale")
            let zeroPoint = try #require(a.zeroPoint, "\(layer.name): per-tensor zero point")
            #expect(scale.isFinite && scale > 0, "\(layer.name): scale \(scale)")
            #expect((a.qmin...a.qmax).contains(zeroPoint), "\(layer.name): zero point \(zeroPoint)")
            #expect(a.rangeMin.isFinite && a.rangeMax.isFinite, "\(layer.name)")
            guard dequantized else { continue }
            // Fake quantization s·(clamp(round(x/s) + z) − z) of any finite x, the extremes included, is finite.
            for x in [a.rangeMin, a.rangeMax, -Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude] {
                let q = min(max((x / scale).rounded() + Float(zeroPoint), Float(a.qmin)), Float(a.qmax))
                #expect((scale * (q - Float(zeroPoint))).isFinite, "\(layer.name): x = \(x), scale \(scale)")
            }
        }
    }
}
