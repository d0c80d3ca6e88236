extension CalibrationConfig {
    /// Checks every section's number format against the settings it ends up with when applied on top of the
    /// built-in and configured defaults (an override on its own, not stacked with other overrides; stacks
    /// are checked per layer by the calibrator).
    ///
    /// - Throws: ``ConfigError`` naming the key path of the contradicting key.
    func validateFormats() throws(ConfigError) {
        let weightDefaults = QuantizationSettings.weightDefaults.applying(weights)
        let activationDefaults = QuantizationSettings.activationDefaults.applying(activations)
        var sections: [(QuantizationSettings, Bool, [ConfigPathComponent])] = [
            (weightDefaults, false, [.key("weights")]), (activationDefaults, true, [.key("activations")]),
        ]
        for (index, override) in overrides.enumerated() {
            let base: [ConfigPathComponent] = [.key("overrides"), .index(index)]
            if let section = override.weights {
                sections.append((weightDefaults.applying(section), false, base + [.key("weights")]))
            }
            if let section = override.activations {
                sections.append((activationDefaults.applying(section), true, base + [.key("activations")]))
            }
        }
        for (settings, activations, path) in sections {
            if let problem = settings.formatProblem(activations: activations) {
                throw ConfigError(
                    .invalidValue(problem.value, allowed: problem.allowed), at: path + [.key(problem.key)])
            }
        }
    }
}
