public import Observers
public import QuantCore

/// A rank-2 weight seen as the matrix W (outputs × inputs) of y = W·x, whatever its stored orientation.
///
/// PyTorch stores a linear weight as `[out, in]` (input axis 1); Keras stores a Dense kernel as `[in, out]`
/// (input axis 0). The methods of this module work on ``values``, W in Double, row-major `[out, in]`
/// (row r = output channel r, contiguous over the input features), and hand codes and parameters back in the
/// stored orientation (``stored(_:)``, ``storedParameters(scheme:mins:maxs:)``).
public struct WeightMatrix: Sendable, Equatable {
    /// Number of output channels (rows of W).
    public let outputs: Int
    /// Number of input features (columns of W), the d of the layer's ``Observers/InputMoments``.
    public let inputs: Int
    /// The stored tensor's axis that runs over the input features (0 or 1).
    public let inputAxis: Int
    /// W, `outputs × inputs`, row-major.
    public var values: [Double]

    /// W from a stored rank-2 tensor (row-major `shape`) whose input features run along `inputAxis`.
    /// - Throws: ``WeightRoundingError/unsupportedWeight(_:)`` for another rank, an input axis other than 0
    ///   or 1 (negative counts from the end), an empty shape or a value count that does not match;
    ///   ``WeightRoundingError/nonFiniteWeight`` for NaN or ±Inf.
    public init(stored: [Float], shape: [Int], inputAxis: Int) throws(WeightRoundingError) {
        guard shape.count == 2 else {
            throw .unsupportedWeight("the weight has rank \(shape.count) (shape \(shape)); these methods take a matrix")
        }
        let axis = inputAxis < 0 ? inputAxis + 2 : inputAxis
        guard axis == 0 || axis == 1 else { throw .unsupportedWeight("input axis \(inputAxis) of a matrix") }
        guard shape[0] > 0, shape[1] > 0, stored.count == shape[0] * shape[1] else {
            throw .unsupportedWeight("the weight of shape \(shape) holds \(stored.count) values")
        }
        guard stored.allSatisfy(\.isFinite) else { throw .nonFiniteWeight }
        self.inputAxis = axis
        inputs = shape[axis]
        outputs = shape[1 - axis]
        if axis == 1 {
            values = stored.map(Double.init)
        } else {
            var w = [Double](repeating: 0, count: stored.count)
            for i in 0..<inputs {
                for o in 0..<outputs { w[o * inputs + i] = Double(stored[i * outputs + o]) }
            }
            values = w
        }
    }

    /// The stored tensor's shape: `[outputs, inputs]` or `[inputs, outputs]`.
    public var storedShape: [Int] { inputAxis == 1 ? [outputs, inputs] : [inputs, outputs] }

    /// A row-major `outputs × inputs` array in the stored orientation (transposed when the input axis is 0).
    public func stored<T>(_ matrix: [T]) -> [T] {
        guard inputAxis == 0, let first = matrix.first else { return matrix }
        var out = [T](repeating: first, count: matrix.count)
        for o in 0..<outputs {
            for i in 0..<inputs { out[i * outputs + o] = matrix[o * inputs + i] }
        }
        return out
    }

    /// How `granularity` (on the stored tensor) groups W's elements.
    public enum Blocks: Sendable, Equatable {
        /// One pair for the whole tensor.
        case tensor
        /// One pair per output channel (row of W).
        case rows
        /// One pair per output channel and run of `size` consecutive input features.
        case groups(size: Int)

        /// Number of blocks along the input features: 1, 1 or ⌈inputs/size⌉.
        func count(inputs: Int) -> Int {
            if case .groups(let size) = self { return (inputs + size - 1) / size }
            return 1
        }
    }

    /// The blocks of a stored-orientation granularity.
    /// - Throws: ``WeightRoundingError/unsupportedWeight(_:)`` for per-channel along the input axis or
    ///   per-group along the output axis (no method here rounds with those).
    public func blocks(of granularity: Granularity) throws(WeightRoundingError) -> Blocks {
        func normalized(_ axis: Int) -> Int { axis < 0 ? axis + 2 : axis }
        switch granularity {
        case .perTensor: return .tensor
        case .perChannel(let axis) where normalized(axis) == 1 - inputAxis: return .rows
        case .perGroup(let axis, let size) where normalized(axis) == inputAxis && size >= 1:
            return .groups(size: size)
        default:
            throw .unsupportedWeight(
                "granularity \(granularity) on shape \(storedShape) (input axis \(inputAxis)): per tensor, per "
                    + "output channel or per group along the input features only")
        }
    }

    /// The scheme's parameters on the stored tensor, and the ranges in the stored parameter order, from per-block
    /// ranges indexed `r·G + g` (row r, block g of
    /// G along the inputs; one entry for per tensor), computed by `scheme.parameters(mins:maxs:shape:)` so they
    /// are exactly the pairs `scheme.parameters(min:max:)` gave each block.
    public func storedParameters(
        scheme: AffineScheme, mins: [Float], maxs: [Float]
    ) throws(WeightRoundingError) -> (parameters: QuantizationParameters, mins: [Float], maxs: [Float]) {
        let blocks = try self.blocks(of: scheme.granularity)
        var lo = mins
        var hi = maxs
        if case .groups = blocks, inputAxis == 0 {
            // stored [in, out] groups along axis 0: parameter (g, o) at g·outputs + o
            let g = blocks.count(inputs: inputs)
            for o in 0..<outputs {
                for k in 0..<g {
                    lo[k * outputs + o] = mins[o * g + k]
                    hi[k * outputs + o] = maxs[o * g + k]
                }
            }
        }
        do {
            return (try scheme.parameters(mins: lo, maxs: hi, shape: storedShape), lo, hi)
        } catch {
            throw .quantization("\(error)")
        }
    }

    /// Checks that `moments` describe this weight's input (d = ``inputs``).
    /// - Throws: ``WeightRoundingError/statistics(_:)`` otherwise.
    public func check(_ moments: InputMoments) throws(WeightRoundingError) {
        guard moments.features == inputs else {
            throw .statistics(
                "the input statistics have \(moments.features) features for a weight with \(inputs) inputs")
        }
    }

    /// The input feature range of block `g` for `blocks`.
    func columns(ofBlock g: Int, _ blocks: Blocks) -> Range<Int> {
        if case .groups(let size) = blocks { return (g * size)..<Swift.min(inputs, (g + 1) * size) }
        return 0..<inputs
    }
}
