internal import Foundation
import JSON
public import Observers
public import QuantCore

/// Creates the observers a configuration names (the calibrator's view of an observer registry).
///
/// The calibrator sets the granularity (per tensor for activations; the weight's granularity) and the
/// NaN/Inf policy; the user's options come from the configuration. ``ObserverRegistry`` is the provider
/// (its ``ObserverRegistry/builtIn`` observers, plus any a user registers).
public protocol ObserverProvider: Sendable {
    /// The registered names, for validating configurations and for messages.
    var observerNames: [String] { get }

    /// A fresh observer for `spec`.
    ///
    /// - Throws: an error describing unknown names or invalid options.
    func makeObserver(
        _ spec: ObserverSpec, granularity: Granularity, nonFinite: NonFinitePolicy
    ) throws -> any Observer

    /// Whether the observer `name` keeps per-channel statistics when given a per-channel granularity
    /// (per-channel activations need it).
    func observesPerChannel(_ name: String) -> Bool
}

extension ObserverProvider {
    /// No, unless the provider says so: a provider that does not know the question cannot promise it.
    public func observesPerChannel(_ name: String) -> Bool { false }
}

extension ObserverRegistry: ObserverProvider {
    /// The registered names.
    public var observerNames: [String] { names }

    /// Whether `name`'s options include `granularity` (the built-in observers' do).
    public func observesPerChannel(_ name: String) -> Bool {
        entry(name)?.optionNames.contains("granularity") ?? false
    }

    /// The registry's observer for `spec`, with `granularity` and `nonFinite` set for the entries that
    /// take them (a user observer without those options gets only its own).
    ///
    /// - Throws: `ObserverError.invalidOption` for an unknown name, an unknown or ill-typed option, or
    ///   options that try to set `granularity`/`nonFinite` themselves.
    public func makeObserver(
        _ spec: ObserverSpec, granularity: Granularity, nonFinite: NonFinitePolicy
    ) throws -> any Observer {
        var options = spec.options
        let accepted = entry(spec.name)?.optionNames ?? []
        for (key, setting) in [("granularity", "granularity"), ("nonFinite", "nan-policy")] where options[key] != nil {
            throw ObserverError.invalidOption(
                kind: spec.name, option: key,
                reason: "set by the calibrator from the '\(setting)' setting, not in observer options")
        }
        if accepted.contains("granularity") { options["granularity"] = try Self.optionValue(granularity) }
        if accepted.contains("nonFinite") { options["nonFinite"] = .string(nonFinite.rawValue) }
        return try makeObserver(spec.name, options: options).base
    }

    /// `value` as a configuration value (through its `Codable` form).
    static func optionValue(_ value: some Encodable) throws -> JSONValue {
        try JSONValue(encoding: value)
    }
}
