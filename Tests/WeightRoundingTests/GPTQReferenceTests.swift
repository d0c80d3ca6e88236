import Foundation
import Observers
import QuantCore
import TestSupport
import Testing
import WeightRounding

/// GPTQ against the numpy reproduction of the published algorithm (`Tests/Fixtures/make_gptq_goldens.py`,
/// structured as IST-DASLab/gptq `fasterquant`): ≥ 99.9 % of the codes equal and the output SQNR within 0.1 dB
/// on three layers (per channel; groups of 32 in blocks of 64; act-order with dead inputs).
struct GPTQReferenceTests {
    struct Golden: Decodable {
        struct Layer: Decodable {
            var name: String
            var seed: UInt64
            var outputs: Int
            var inputs: Int
            var rows: Int
            var dead: [Int]
            var bits: Int
            var sym: Bool
            var groupsize: Int
            var blocksize: Int
            var percdamp: Double
            var actorder: Bool
            var codes: [Int32]
            var sqnrDB: Double
            var rtnSQNRDB: Double
            var firstX: Float
            var firstW: Float

            enum CodingKeys: String, CodingKey {
                case name, seed, outputs, inputs, rows, dead, bits, sym, groupsize, blocksize, percdamp, actorder
                case codes
                case sqnrDB = "sqnr_db"
                case rtnSQNRDB = "rtn_sqnr_db"
                case firstX = "first_x"
                case firstW = "first_w"
            }
        }
        var layers: [Layer]
    }

    static let golden: Golden? = try? TestPaths.decodeFixture("gptq_goldens.json")

    static func scheme(_ layer: Golden.Layer) throws -> AffineScheme {
        try AffineScheme(
            format: IntegerFormat(bits: layer.bits, signed: layer.sym), symmetry: layer.sym ? .symmetric : .asymmetric,
            granularity: layer.groupsize > 0 ? .perGroup(axis: 1, size: layer.groupsize) : .perChannel(axis: 0))
    }

    @Test(arguments: 0..<3)
    func agreesWithTheReference(index: Int) throws {
        let golden = try #require(Self.golden, "Tests/Fixtures/gptq_goldens.json")
        let layer = golden.layers[index]
        let data = GoldenLayerData(
            seed: layer.seed, outputs: layer.outputs, inputs: layer.inputs, rows: layer.rows, dead: Set(layer.dead))
        #expect(data.x[0] == layer.firstX && data.w[0] == layer.firstW, "the regenerated data differ from Python's")
        let weight = try WeightMatrix(stored: data.w, shape: [layer.outputs, layer.inputs], inputAxis: 1)
        let stats = try moments(of: data.x, rows: layer.rows, features: layer.inputs)
        let gptq = GPTQ(damping: layer.percdamp, blockSize: layer.blocksize, actOrder: layer.actorder)
        let rounded = try gptq.quantize(weight, moments: stats, scheme: Self.scheme(layer))
        let equal = zip(rounded.codes, layer.codes).filter { $0 == $1 }.count
        let fraction = Double(equal) / Double(layer.codes.count)
        #expect(fraction >= 0.999, "\(layer.name): \(equal) of \(layer.codes.count) codes equal")
        let sqnr = outputSQNR(
            x: data.x, rows: layer.rows, w: data.w, effective: try rounded.effectiveWeight(weight),
            outputs: layer.outputs, inputs: layer.inputs)
        #expect(abs(sqnr - layer.sqnrDB) <= 0.1, "\(layer.name): \(sqnr) dB, reference \(layer.sqnrDB) dB")
        // and the gain over round-to-nearest the reference measured is there
        #expect(sqnr > layer.rtnSQNRDB + 3, "\(layer.name): GPTQ \(sqnr) dB, RTN \(layer.rtnSQNRDB) dB")
    }
}
