internal import HDF5

extension Calibrator {
    /// The layout of `weights` (none without a weights file) and the layer map of the inputs: weights
    /// datasets named by the layout unless the user's `naming.map` (or, for weights and biases, a
    /// `naming.rules` entry) names them first, and the layout's further tensors (moving statistics,
    /// buffers) attached to their layers (with `builtin-rules: false` they are left to the user's rules).
    func layoutMap(
        weights: String?, weightDatasets: [String], activationDatasets: [String], activationFiles: [String]
    ) throws(CalibrationError) -> (layout: DetectedLayout?, map: LayerMap) {
        let layout = try weights.map { (file) throws(CalibrationError) in
            try ModelLayoutDetector.detect(file: file, choice: config.layout ?? .auto)
        }
        var naming: LayerNaming
        do {
            naming = try LayerNaming(config.naming)
        } catch {
            throw .config(error)
        }
        let named = Set(config.naming.map.keys.map { $0.hasPrefix("/") ? $0 : "/" + $0 })
        var beside: [String: [String]] = [:]
        for tensor in layout?.tensors.values ?? [:].values where !named.contains(tensor.dataset) {
            if let slot = tensor.slot {
                naming.layout[tensor.dataset] = LayerAssignment(layer: tensor.layer, role: slot)
            } else if config.naming.builtinRules {
                beside[tensor.layer, default: []].append(tensor.dataset)
            }
        }
        let besideSet = Set(beside.values.joined())
        var map: LayerMap
        do {
            map = try naming.map(
                weights: weightDatasets.filter { !besideSet.contains($0) }, activations: activationDatasets)
        } catch {
            throw CalibrationError.naming(error).located(weights: weights, activations: activationFiles)
        }
        for (layer, datasets) in beside {
            if let index = map.layers.firstIndex(where: { $0.layer == layer }) {
                map.layers[index].others = datasets.sorted()
            } else {
                map.layers.append(LayerDatasets(layer: layer, others: datasets.sorted()))
            }
        }
        map.layers.sort { NaturalOrder.less($0.layer, $1.layer) }
        return (layout, map)
    }

    /// Calibrates (or keeps in float) every weights-file tensor of one layer as its layout role says:
    /// kernels quantized along their layout's axes unless the configuration sets `axis`, embeddings only
    /// with `embeddings: quantize`, biases of quantized kernels int32 when the input's scale is known,
    /// normalization parameters and other tensors (and 1-D weights of unknown role) in float with a note.
    func calibrateTensors(
        of entry: LayerDatasets, file: WeightsFile, layout: DetectedLayout?, record: inout LayerCalibration
    ) throws(CalibrationError) -> [CalibratedTensor] {
        var stored: [CalibratedTensor] = []
        func tagged(_ tensor: CalibratedTensor, _ role: TensorRole, _ info: LayoutTensor?) -> CalibratedTensor {
            var tensor = tensor
            tensor.layoutRole = role.rawValue
            tensor.sourceName = info?.sourceName
            return tensor
        }
        if let dataset = entry.weight {
            let info = layout?.tensors[dataset]
            var role = TensorRole.other
            if let known = info?.role {
                role = known
            } else if try shape(of: dataset, in: file).count >= 2 {
                role = .kernel
            }
            if role == .kernel || (role == .embedding && config.embeddings == .quantize) {
                var settings = record.policy.weights
                if settings.granularity != .perTensor, !config.weightAxisConfigured(for: entry.layer) {
                    let axis = settings.granularity == .perGroup ? info?.inputAxis ?? 1 : info?.outputAxis ?? 0
                    settings.axis = axis
                    record.policy.weights.axis = axis
                }
                let weight =
                    if let smoothing = settings.smoothing {
                        try calibrateSmoothedWeight(
                            layer: entry.layer, file: file, dataset: dataset, settings: settings, smoothing: smoothing,
                            activations: record.policy.activations, inputAxis: info?.inputAxis,
                            input: &record.activation)
                    } else if let method = settings.method, method != .rtn {
                        try calibrateRoundedWeight(
                            layer: entry.layer, file: file, dataset: dataset, settings: settings, method: method,
                            inputAxis: info?.inputAxis, input: record.activation)
                    } else {
                        try calibrateWeight(layer: entry.layer, file: file, dataset: dataset, settings: settings)
                    }
                record.weight = weight.calibration
                stored.append(tagged(weight.tensor, role, info))
            } else {
                stored.append(
                    tagged(try floatTensor(entry.layer, dataset, "weight", file, Self.note(role)), role, info))
            }
        }
        if let dataset = entry.bias {
            let info = layout?.tensors[dataset]
            let role = info?.role ?? .bias
            if role == .bias {
                let bias = try calibrateBias(
                    layer: entry.layer, file: file, dataset: dataset, weight: record.weight, input: record.activation)
                record.bias = bias.calibration
                stored.append(tagged(bias.tensor, role, info))
            } else {
                stored.append(tagged(try floatTensor(entry.layer, dataset, "bias", file, Self.note(role)), role, info))
            }
        }
        for dataset in entry.others {
            let info = layout?.tensors[dataset]
            let name = info.map {
                KerasClass.variableName($0.sourceName.split(separator: ".").last.map(String.init) ?? "")
            }
            let tensor = try floatTensor(entry.layer, dataset, name ?? "other", file, Self.note(info?.role ?? .other))
            stored.append(tagged(tensor, info?.role ?? .other, info))
        }
        return stored
    }

    /// Every weights-file tensor of an excluded layer, in float.
    func excludedTensors(
        of entry: LayerDatasets, file: WeightsFile, layout: DetectedLayout?
    ) throws(CalibrationError) -> [CalibratedTensor] {
        var stored: [CalibratedTensor] = []
        let roles = [(entry.weight, "weight"), (entry.bias, "bias")] + entry.others.map { ($0, "other") }
        for case (let dataset?, let role) in roles {
            var tensor = try floatTensor(entry.layer, dataset, role, file, "excluded by configuration")
            tensor.layoutRole = layout?.tensors[dataset]?.role.rawValue
            tensor.sourceName = layout?.tensors[dataset]?.sourceName
            stored.append(tensor)
        }
        return stored
    }

    /// Why a tensor of `role` stays in float.
    static func note(_ role: TensorRole) -> String {
        switch role {
        case .normScale, .normShift: "norm parameter kept in float"
        case .embedding: "embedding table kept in float (embeddings: float)"
        case .kernel, .bias: "kept in float"
        case .other: "not a weight matrix, kernel or bias: kept in float"
        }
    }

    /// The tensor `dataset` of `file` unquantized, with `note`.
    func floatTensor(
        _ layer: String, _ dataset: String, _ role: String, _ file: WeightsFile, _ note: String
    ) throws(CalibrationError) -> CalibratedTensor {
        let (values, shape, elementType) = try read(dataset, in: file)
        return CalibratedTensor(
            layer: layer, dataset: dataset, role: role, shape: shape, elementType: elementType,
            content: .float32(values: values, note: note))
    }

    /// The shape of `dataset` in `file`, without reading it.
    func shape(of dataset: String, in file: WeightsFile) throws(CalibrationError) -> [Int] {
        try header(dataset, in: file).shape
    }
}

extension CalibrationConfig {
    /// Whether the configuration sets the weights' `axis` for `layer` (in `weights` or a matching
    /// override): then it is used as given; otherwise the weights file's layout gives it.
    public func weightAxisConfigured(for layer: String) -> Bool {
        weights.axis != nil || overrides.contains { $0.weights?.axis != nil && $0.matches(layer) }
    }
}
