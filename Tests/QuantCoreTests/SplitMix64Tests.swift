import TestSupport
import Testing

/// The shared generator gives the sequences the test targets' own copies gave before they were merged into
/// `TestSupport` (values recorded from those copies at 82631ba), so every seeded test sees the same data.
@Suite struct SplitMix64Tests {
    @Test func rawOutputsAreTheReferenceSplitMix64() {
        // Seed 0: the published first outputs of SplitMix64 (Vigna's splitmix64.c).
        var generator = SplitMix64(seed: 0)
        #expect(
            (0..<3).map { _ in generator.next() } == [
                0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F,
            ])
    }

    @Test func normalIsTheCalibratorTestsSequence() {
        var generator = SplitMix64(seed: 42)
        let bits = (0..<3).map { _ in generator.normal().bitPattern }
        #expect(bits == [4_601_142_546_771_932_421, 13_829_580_653_238_753_920, 4_610_468_213_958_984_388])
    }

    @Test func tensorIsTheObserversTestsSequence() {
        var mixed = SplitMix64(seed: 42)
        #expect(
            mixed.tensor(count: 8, kind: 3).map(\.bitPattern) == [
                3_262_045_355, 1_117_862_264, 3_250_401_970, 3_273_691_981, 1_097_427_519, 1_143_417_810,
                1_141_631_231, 3_281_031_646,
            ])
        var heavyTailed = SplitMix64(seed: 7)
        #expect(
            heavyTailed.tensor(count: 4, kind: 2).map(\.bitPattern) == [
                3_223_644_302, 1_055_291_263, 1_046_722_882, 3_222_340_342,
            ])
    }
}
