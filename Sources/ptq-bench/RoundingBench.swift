import Foundation
import PTQKit

/// `ptq-bench rounding`: the calibration-driven weight methods (module WeightRounding) on a 1536×384 layer, both
/// ways round (a Keras kernel `[1536, 384]`: 1536 inputs, 384 outputs, the harder case for GPTQ's n³ factor; and
/// `[384, 1536]` read as 384 inputs): CPU and wall seconds per call (median of `--runs` after a warm-up, one
/// thread; CPU time, from getrusage, is the figure that survives a loaded machine) and the
/// output SQNR on the calibration inputs, 10·log10(tr(W·G·Wᵀ)/tr(ΔW·G·ΔWᵀ)), with its gain over round-to-nearest.
/// The inputs are correlated (neighbouring features, AR(1) with 0.6), one outlier feature ×8; int4, groups of
/// 128 along the inputs, asymmetric.
enum RoundingBench {
    static func run(arguments: [String]) throws {
        var runs = 3
        if let k = arguments.firstIndex(of: "--runs"), k + 1 < arguments.count, let n = Int(arguments[k + 1]), n > 0 {
            runs = n
        }
        var only: Set<String> = []
        if let k = arguments.firstIndex(of: "--only"), k + 1 < arguments.count {
            only = Set(arguments[k + 1].split(separator: ",").map(String.init))
        }
        print("rounding: int4 asymmetric, groups of 128 along the inputs; median of \(runs) runs after a warm-up")
        print("layer (stored shape)       method           CPU s    wall s   SQNR dB   vs RTN dB")
        for (inputs, outputs) in [(1536, 384), (384, 1536)] {
            let (weight, moments) = try layer(inputs: inputs, outputs: outputs, rows: 2048)
            let scheme = try AffineScheme(
                format: .uint4, symmetry: .asymmetric, granularity: .perGroup(axis: 0, size: 128))
            let gram = moments.gram ?? []
            let name = "[\(inputs), \(outputs)] in=\(inputs)"
            var rtnDB = 0.0
            let methods: [(String, () throws -> RoundedWeight)] = [
                (
                    "rtn",
                    {
                        try ActivationAwareScaling(alphas: [0]).quantize(weight, moments: moments, scheme: scheme)
                            .weight
                    }
                ),
                ("gptq", { try GPTQ().quantize(weight, moments: moments, scheme: scheme) }),
                ("gptq act-order", { try GPTQ(actOrder: true).quantize(weight, moments: moments, scheme: scheme) }),
                (
                    "awq (20 α)",
                    { try ActivationAwareScaling().quantize(weight, moments: moments, scheme: scheme).weight }
                ),
                ("importance-clip", { try ImportanceClipping().quantize(weight, moments: moments, scheme: scheme) }),
            ]
            for (method, body) in methods where only.isEmpty || only.contains(method) || method == "rtn" {
                var result = try body()
                var times: [Double] = []
                var cpu: [Double] = []
                for _ in 0..<runs {
                    let clock = ContinuousClock()
                    let start = clock.now
                    let cpuStart = cpuSeconds()
                    result = try body()
                    cpu.append(cpuSeconds() - cpuStart)
                    let elapsed = clock.now - start
                    times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                }
                times.sort()
                cpu.sort()
                let db = try sqnr(result, weight: weight, gram: gram)
                if method == "rtn" { rtnDB = db }
                print(
                    name.padding(toLength: 27, withPad: " ", startingAt: 0)
                        + method.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + String(
                            format: "%7.3f %9.3f %9.2f %+10.2f", cpu[cpu.count / 2], times[times.count / 2], db,
                            db - rtnDB))
            }
        }
    }

    /// User + system CPU seconds of the process so far (one thread runs the methods).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// 10·log10(tr(W·G·Wᵀ)/tr(ΔW·G·ΔWᵀ)).
    static func sqnr(_ rounded: RoundedWeight, weight: WeightMatrix, gram: [Double]) throws -> Double {
        var delta = try rounded.effectiveWeight(weight)
        for k in delta.indices { delta[k] -= weight.values[k] }
        let signal = OutputError.trace(delta: weight.values, gram: gram, rows: weight.outputs, features: weight.inputs)
        let noise = OutputError.trace(delta: delta, gram: gram, rows: weight.outputs, features: weight.inputs)
        return 10 * log10(signal / noise)
    }

    /// A Keras-oriented kernel `[inputs, outputs]` and the moments of `rows` correlated inputs.
    static func layer(inputs d: Int, outputs: Int, rows: Int) throws -> (WeightMatrix, InputMoments) {
        var random = SplitMix64(state: 0x5EED)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        var scale = (0..<d).map { _ in 0.5 + uniform() }
        scale[3] *= 8
        let kernel = (0..<(d * outputs)).map { _ in Float((uniform() + uniform() + uniform() - 1.5) * 0.2) }
        var sum = [Double](repeating: 0, count: d)
        var abs = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        var maxAbs = [Float](repeating: 0, count: d)
        var gram = [Double](repeating: 0, count: d * d)
        var x = [Double](repeating: 0, count: d)
        for _ in 0..<rows {
            var previous = 0.0
            for j in 0..<d {
                let v = (uniform() + uniform() + uniform() + uniform() - 2) * scale[j] + 0.6 * previous
                previous = v
                x[j] = Double(Float(v))
                sum[j] += x[j]
                abs[j] += Swift.abs(x[j])
                squares[j] += x[j] * x[j]
                maxAbs[j] = Swift.max(maxAbs[j], Float(Swift.abs(x[j])))
            }
            for i in 0..<d {
                let xi = x[i]
                for j in i..<d { gram[i * d + j] += xi * x[j] }
            }
        }
        for i in 0..<d {
            for j in 0..<i { gram[i * d + j] = gram[j * d + i] }
        }
        let moments = try InputMoments(
            features: d, rows: rows, sum: sum, sumOfAbs: abs, sumOfSquares: squares, maxAbs: maxAbs, gram: gram)
        return (try WeightMatrix(stored: kernel, shape: [d, outputs], inputAxis: 0), moments)
    }
}
