// ptq-bench: PTQKit's benchmark suite (release build only). Its suites are added per module.
import PTQKit
print("ptq-bench \(ptqkitVersion)")
try TensorIOBenchmarks.run(arguments: Array(CommandLine.arguments.dropFirst()))
try FloatFormatBenchmarks.run()
