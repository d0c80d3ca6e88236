internal import QuantCore

extension ObserverRegistry {
    /// Registers `name` as the histogram observer with range method `R`, whose options (defaults
    /// `defaults`, e.g. `PercentileRange()`) a configuration writes in one flat object beside the
    /// statistic's `bins`, `granularity` and `nonFinite` (defaults those of `HistogramObserver.Options`):
    /// `{percentile: 99.9, tails: absolute, bins: 1024}`. Decoded once, straight into
    /// `HistogramObserver.Options`.
    /// - Throws: `ObserverError.invalidOption` if the name is already taken.
    public mutating func registerHistogram<R: HistogramRange>(name: String, summary: String, defaults: R) throws {
        try register(name: name, summary: summary, defaults: FlatHistogramOptions(range: defaults)) {
            try HistogramObserver(options: $0.options)
        }
    }
}

/// The configuration form of a histogram-family observer's options: `R`'s keys and the statistic's
/// (`granularity`, `bins`, `nonFinite`) in one object, read into `HistogramObserver.Options` with
/// `method` = `R`'s. Only the registry uses it (for the defaults' keys and to decode a config's object).
struct FlatHistogramOptions<R: HistogramRange>: Codable, Sendable {
    /// The statistic's options (`method` is replaced by `range`'s).
    private var statistic: HistogramObserver.Options
    /// The range method's options.
    private var range: R

    private enum StatisticKeys: String, CodingKey { case granularity, bins, nonFinite }

    /// The statistic's defaults with the method `range`.
    init(range: R) {
        statistic = HistogramObserver.Options()
        self.range = range
    }

    /// The histogram observer's options.
    var options: HistogramObserver.Options {
        var o = statistic
        o.method = range.method
        return o
    }

    /// Decodes `R` and the statistic's keys from the same object (in that order, so that of two
    /// ill-typed options the method's is reported).
    init(from decoder: any Decoder) throws {
        range = try R(from: decoder)
        let c = try decoder.container(keyedBy: StatisticKeys.self)
        let bins = try c.decode(Int.self, forKey: .bins)
        let granularity = try c.decode(Granularity.self, forKey: .granularity)
        statistic = HistogramObserver.Options(
            granularity: granularity, bins: bins, nonFinite: try c.decode(NonFinitePolicy.self, forKey: .nonFinite))
    }

    /// Encodes the statistic's keys and the method's options into one object.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: StatisticKeys.self)
        try c.encode(statistic.granularity, forKey: .granularity)
        try c.encode(statistic.bins, forKey: .bins)
        try c.encode(statistic.nonFinite, forKey: .nonFinite)
        try range.encode(to: encoder)
    }
}
