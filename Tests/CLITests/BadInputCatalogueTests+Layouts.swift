/// Damaged Keras weights files (issue 14): the layout's own structure names a layer or a weight the file
/// does not hold. Fixtures from `Tests/Fixtures/make_layout_fixtures.py damaged` (copies of the real
/// Keras outputs in `Tests/Fixtures/layouts/` with one object or attribute removed).
extension BadInputCatalogueTests {
    static let layoutCases: [Case] = [
        calibrate(
            "Keras native vars group without its name",
            ["--weights", "\(fixtures)/keras_native_vars_without_name.weights.h5"],
            failure(
                65, "has no `name` attribute",
                "\(fixtures)/keras_native_vars_without_name.weights.h5:/layers/dense/vars")),
        calibrate(
            "legacy Keras layer_names naming a missing group",
            ["--weights", "\(fixtures)/keras_legacy_missing_layer_group.h5"],
            failure(
                65, "is listed in layer_names of /model_weights but has no group",
                "\(fixtures)/keras_legacy_missing_layer_group.h5:/model_weights/head")),
        calibrate(
            "legacy Keras weight_names entry without its dataset",
            ["--weights", "\(fixtures)/keras_legacy_missing_weight.h5"],
            failure(
                65, "is listed in weight_names of /model_weights/head but has no dataset",
                "\(fixtures)/keras_legacy_missing_weight.h5:/model_weights/head/head/bias")),
        calibrate(
            "configured axis beyond a kernel's rank", ["--weights", weights, "--config", "@/c.yaml"],
            made: ["c.yaml": .text("version: 1\nweights:\n  axis: 2\n")],
            failure(65, "out of range for a tensor of rank 2", "valid_weights.h5:/fc/weight")),
    ]
}
