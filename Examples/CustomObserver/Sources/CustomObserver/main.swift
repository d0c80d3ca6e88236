// Calibrates the bundled activations with a user-defined observer named in a configuration file.
//
//     swift run --package-path Examples/CustomObserver --scratch-path .build-example CustomObserver [REPO_ROOT]
//
// REPO_ROOT (default `../..`) holds `Configs/custom-observer.yaml` and `Calibration/activations.h5`.
// Prints one line per layer: name, observer, observed range, chosen range, scale, zero point, scheme.
import Foundation
import PTQKit

let root = CommandLine.arguments.dropFirst().first ?? "../.."

do {
    // The built-in observers plus ours, under the name the configuration uses.
    var registry = ObserverRegistry.builtIn
    try registry.register(name: "mean-std", summary: "mean ± k·σ of the finite values", defaults: MeanStdObserver.Options()) {
        try MeanStdObserver(options: $0)
    }

    // Merging two halves with Chan's formula gives the statistic of the whole (up to rounding).
    var whole = try MeanStdObserver(options: .init(k: 3)), first = whole, second = whole
    let sample: [Float] = (0..<1000).map { Float($0 % 97) / 7 - 5 }
    try whole.observe(sample)
    try first.observe(Array(sample[..<300]))
    try second.observe(Array(sample[300...]))
    try first.merge(second)
    let restored = try MeanStdObserver(snapshot: JSONDecoder().decode(
        ObserverSnapshot<MeanStdObserver>.self, from: JSONEncoder().encode(first.snapshot)))
    let split = try first.ranges(), full = try whole.ranges()
    print("merge-check", abs(split.low[0] - full.low[0]) <= 1e-5, abs(split.high[0] - full.high[0]) <= 1e-5,
          restored.state == first.state)

    let config = try CalibrationConfig.load(contentsOf: "\(root)/Configs/custom-observer.yaml", observerNames: registry.names)
    let calibrator = try Calibrator(config: config, observers: registry)
    let result = try calibrator.calibrate(weights: nil, activations: ["\(root)/Calibration/activations.h5"])
    print("layer observer observed_min observed_max range_min range_max scale zero_point scheme")
    for layer in result.layers {
        guard let a = layer.activation else { continue }
        print(layer.layer, a.observer.name, a.observedMin, a.observedMax, a.rangeMin, a.rangeMax, a.scale, a.zeroPoint,
              a.scheme.chosen.rawValue)
        print("  #", a.scheme.reason)
    }
} catch {
    FileHandle.standardError.write(Data("CustomObserver: \(error)\n".utf8))
    exit(1)
}
