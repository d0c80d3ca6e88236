import PTQKit
import Testing

/// The progress model of a phase (``PhaseProgress``), driven by an injected clock: the seconds passed to
/// each call.
struct PhaseProgressTests {
    static let mib = 1 << 20

    /// No rate or ETA before the minimum interval, even after a first batch of 100 MiB in a microsecond
    /// (the old display showed TiB/s there); afterwards the rate is bytes over elapsed seconds.
    @Test func noRateBeforeAMeaningfulInterval() {
        var phase = PhaseProgress(name: "observing activations", unit: .bytes, started: 100)
        phase.update(done: 100 * Self.mib, total: 400 * Self.mib, detail: "/a")
        #expect(phase.rate(at: 100.000_001) == nil)
        let early = phase.frame(at: 100.000_001)
        #expect(!early.contains("/s") && !early.contains("ETA"), "\(early)")
        #expect(early.contains(" 25%") && early.contains("100.0 MiB/400.0 MiB") && early.hasSuffix("/a"), "\(early)")
        #expect(phase.rate(at: 100 + PhaseProgress.minimumRateInterval * 0.99) == nil)
        #expect(phase.rate(at: 102) == Double(50 * Self.mib))
        let later = phase.frame(at: 102)
        #expect(later.contains("50.0 MiB/s") && later.contains("ETA 6 s"), "\(later)")
    }

    /// The amount covers the whole phase: reports of several datasets add up against one total and the
    /// fraction never goes back (a dataset's own count restarting does not restart the bar).
    @Test func progressIsOverTheWholePhase() {
        var phase = PhaseProgress(name: "observing activations", unit: .bytes, started: 0)
        var fractions: [Double] = []
        for (done, dataset) in [(10, "/a"), (30, "/a"), (45, "/b"), (40, "/b"), (100, "/c")] {
            phase.update(done: done * Self.mib, total: 100 * Self.mib, detail: dataset)
            fractions.append(phase.fraction)
        }
        #expect(fractions == [0.1, 0.3, 0.45, 0.45, 1.0])
        #expect(phase.done == 100 * Self.mib)
        phase.update(done: 120 * Self.mib, total: 100 * Self.mib, detail: "/c")
        #expect(phase.done == 100 * Self.mib, "never above the total")
    }

    /// A phase that ends normally shows 100 % in its final frame, even when its last report was short of the
    /// total (the weights' last tensors or a phase without reports); its summary says what finished and
    /// how fast.
    @Test func finalFrameIsAtOneHundredPercent() {
        var phase = PhaseProgress(name: "calibrating weights", unit: .items("tensors"), started: 10)
        phase.update(done: 0, total: 6, detail: "/fc1/weight")
        #expect(phase.frame(at: 10.2).contains("  0%  0/6 tensors"))
        phase.complete()
        let final = phase.frame(at: 10.3)
        #expect(final.contains("[########################]  100%  6/6 tensors"), "\(final)")
        #expect(phase.summary(at: 10.3) == "calibrating weights: done, 6 tensors in 0.3 s")

        var bytes = PhaseProgress(name: "observing activations", unit: .bytes, started: 0)
        bytes.update(done: 512 * Self.mib, total: 1024 * Self.mib, detail: "/x")
        bytes.complete()
        #expect(bytes.summary(at: 2) == "observing activations: done, 1.0 GiB in 2.0 s (512.0 MiB/s)")
        #expect(bytes.frame(at: 2).contains("100%  1.0 GiB/1.0 GiB  512.0 MiB/s"), "\(bytes.frame(at: 2))")
        #expect(!bytes.frame(at: 2).contains("ETA"))
    }

    /// A phase too short for a rate ends without one; a failed phase says where it stopped; a phase without
    /// a total names itself and its time only.
    @Test func summariesWithoutARateOrTotal() {
        var quick = PhaseProgress(name: "observing activations", unit: .bytes, started: 0)
        quick.update(done: 2048, total: 2048, detail: "/x")
        #expect(quick.summary(at: 0.01) == "observing activations: done, 2.0 KiB in 0.0 s")
        var stopped = PhaseProgress(name: "observing activations", unit: .bytes, started: 0)
        stopped.update(done: 1024, total: 4096, detail: "/x")
        #expect(
            stopped.summary(at: 1, completed: false)
                == "observing activations: stopped, 1.0 KiB of 4.0 KiB in 1.0 s (1.0 KiB/s)")
        let writing = PhaseProgress(name: "writing package", unit: .items("tensors"), started: 0)
        #expect(writing.summary(at: 0.3) == "writing package: done in 0.3 s")
        #expect(writing.frame(at: 0.3) == "writing package")
    }
}
