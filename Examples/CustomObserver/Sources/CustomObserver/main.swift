// The full `ptq` (every subcommand) with one more observer, `mean-std`, that configurations can name:
//
//     swift build --package-path Examples/CustomObserver --scratch-path .build-example
//     .build-example/debug/CustomObserver calibrate --config Configs/custom-observer.yaml \
//         --activations Calibration/activations.h5 --weights Calibration/weights.h5 --output pkg
//     .build-example/debug/CustomObserver verify pkg
import PTQCommandLine
import PTQKit

PTQCommandLine.main { registry in
    try registry.register(
        name: "mean-std", summary: "mean ± k·σ of the finite values", defaults: MeanStdObserver.Options()
    ) {
        try MeanStdObserver(options: $0)
    }
}
