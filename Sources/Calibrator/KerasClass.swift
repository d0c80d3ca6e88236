/// What a Keras layer class's variables are, and where its kernels keep their output channels.
enum KerasClass {
    /// `dense_1` → `dense` (Keras numbers repeated class groups `_1`, `_2`, …).
    static func stripIndex(_ group: String) -> String {
        guard let underscore = group.lastIndex(of: "_"),
            !group[group.index(after: underscore)...].isEmpty,
            group[group.index(after: underscore)...].allSatisfy(\.isNumber)
        else { return group }
        return String(group[..<underscore])
    }

    /// `Conv2DTranspose` → `conv2d_transpose`, `BatchNormalization` → `batch_normalization`.
    static func snake(_ className: String) -> String {
        var result = ""
        var previous: Character?
        var beforePrevious: Character?
        for c in className {
            if c.isUppercase, let p = previous {
                // `…aB` and `…2B` start a word; `2D` is one (Conv2D); `2DT` starts one after it.
                let afterDigitD = p == "D" && beforePrevious?.isNumber == true
                if p.isLowercase || (p.isNumber && c != "D") || afterDigitD { result.append("_") }
            }
            result += c.lowercased()
            beforePrevious = previous
            previous = c
        }
        return result
    }

    /// `conv2d_transpose` → `Conv2DTranspose`.
    static func camel(_ snake: String) -> String {
        snake.split(separator: "_").map { part -> String in
            var word = part.prefix(1).uppercased() + part.dropFirst()
            if word.count >= 2, word.last == "d", word.dropLast().last?.isNumber == true {
                word = word.dropLast() + "D"
            }
            return word
        }.joined()
    }

    /// `conv1/kernel:0` → `kernel`.
    static func variableName(_ weightName: String) -> String {
        let last = weightName.split(separator: "/").last.map(String.init) ?? weightName
        return last.hasSuffix(":0") ? String(last.dropLast(2)) : last
    }

    /// A class guessed from a variable name when no `model_config` says it (weights-only files).
    static func guessSnake(variable: String) -> String {
        switch variable {
        case "depthwise_kernel": "depthwise_conv2d"
        case "gamma", "beta", "moving_mean", "moving_variance": "batch_normalization"
        case "embeddings": "embedding"
        default: "dense"
        }
    }

    /// The role of a legacy variable (named) of a layer of class `snake`.
    static func legacyRole(variable: String, snake: String) -> TensorRole {
        switch variable {
        case "kernel", "depthwise_kernel": .kernel
        case "bias": .bias
        case "gamma": .normScale
        case "beta": .normShift
        case "embeddings": .embedding
        default: .other
        }
    }

    /// The roles (and Keras variable names) of a native layer's variables `vars/0…`, by class.
    static func roles(snake: String, shapes: [[Int]]) -> [(TensorRole, String?)] {
        let n = shapes.count
        func pad(_ known: [(TensorRole, String?)]) -> [(TensorRole, String?)] {
            Array((known + Array(repeating: (TensorRole.other, nil), count: max(0, n - known.count))).prefix(n))
        }
        if snake.hasSuffix("normalization") {
            if snake == "batch_normalization" {
                // center and scale (the defaults): gamma, beta, moving_mean, moving_variance; without one of
                // them the indices shift and nothing tells which is which: all kept in float as `other`.
                return n == 4
                    ? [
                        (.normScale, "gamma"), (.normShift, "beta"), (.other, "moving_mean"),
                        (.other, "moving_variance"),
                    ]
                    : pad([])
            }
            return n == 2 ? [(.normScale, "gamma"), (.normShift, "beta")] : pad([])
        }
        if snake == "embedding" { return pad([(.embedding, "embeddings")]) }
        if let first = shapes.first, first.count >= 2 {
            let bias: [(TensorRole, String?)] = n >= 2 && shapes[1].count == 1 ? [(.bias, "bias")] : []
            return pad([(.kernel, "kernel")] + bias)
        }
        return pad([])
    }

    /// The description of one variable: slot and axes from its role and the class.
    static func tensor(
        dataset: String, layer: String, role: TensorRole, snake: String, shape: [Int], sourceName: String,
        layerClass: String? = nil
    ) -> LayoutTensor {
        var t = LayoutTensor(
            dataset: dataset, layer: layer, role: role, slot: nil, layerClass: layerClass ?? camel(snake),
            sourceName: sourceName)
        let rank = shape.count
        switch role {
        case .kernel, .normScale: t.slot = .weight
        case .embedding:
            t.slot = .weight
            (t.outputAxis, t.inputAxis) = (0, 1)
        case .bias, .normShift: t.slot = .bias
        case .other: break
        }
        guard role == .kernel, rank >= 2 else { return t }
        if snake.hasSuffix("_transpose") {
            (t.outputAxis, t.inputAxis) = (rank - 2, rank - 1)  // [..., out, in]
        } else if snake.hasPrefix("depthwise_conv") {
            t.outputAxis = rank - 2  // [..., in, multiplier]: output channel c·m + k
            t.inputAxis = rank - 2
            if let multiplier = shape.last, multiplier > 1 {
                t.axisNote =
                    "depthwise kernel \(shape): one scale per input channel, shared by its \(multiplier) "
                    + "output channels (depth multiplier \(multiplier))"
            }
        } else {
            (t.outputAxis, t.inputAxis) = (rank - 1, rank - 2)  // Dense [in, out], ConvND [..., in, out]
        }
        return t
    }
}
