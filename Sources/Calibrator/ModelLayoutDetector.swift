internal import Foundation
internal import HDF5

/// Finds the ``ModelLayout`` of a weights file and describes its tensors (layer, role, axes).
///
/// Detection (`layout: auto`), first match wins:
/// 1. ``ModelLayout/keras``: a `/layers` group holding `vars` groups (Keras 3 `save_weights`).
/// 2. ``ModelLayout/kerasLegacy``: a `layer_names` attribute on `/model_weights` (full model) or on the
///    root (weights only).
/// 3. ``ModelLayout/torch``: some dataset's last key component (after the last `/` or `.`) is `weight`
///    and none is `kernel`.
/// 4. ``ModelLayout/generic`` otherwise.
///
/// Output-channel axes (per-channel parameters): Keras Dense and Conv1D/2D/3D kernels the last axis,
/// Conv*Transpose `[…, out, in]` the second to last, DepthwiseConv `[…, in, multiplier]` the input-channel
/// axis (second to last: one scale per output channel when the multiplier is 1; with multiplier m the m
/// output channels of an input channel share its scale, since a package keeps the kernel's own shape and
/// one parameter axis); embeddings per row (axis 0); PyTorch `[out, in, …]` axis 0, `ConvTranspose`
/// `[in, out, …]` axis 1 (told by its bias length, see ``transposedConvolutionAxes(_:shape:biasCount:)``).
public enum ModelLayoutDetector {
    /// The layout of the weights file at `file` (forced by `choice`, or detected), with its tensors.
    ///
    /// - Throws: ``CalibrationError/layout(_:)`` for a damaged Keras file (a `vars` group without its
    ///   `name`, a `layer_names` entry without its group, a `weight_names` entry without its dataset) or a
    ///   forced layout the file does not have; ``CalibrationError/input(_:)`` when the file cannot be read.
    public static func detect(file: String, choice: ModelLayoutChoice) throws(CalibrationError) -> DetectedLayout {
        let scan = try Scan(file: file)
        let layout: ModelLayout
        let reason: String
        if let forced = choice.forced {
            layout = forced
            reason = "configured (layout: \(forced.rawValue))"
        } else {
            (layout, reason) = try scan.detect()
        }
        let tensors: [String: LayoutTensor]
        switch layout {
        case .keras: tensors = try scan.kerasNative()
        case .kerasLegacy: tensors = try scan.kerasLegacy()
        case .torch: tensors = try scan.torch()
        case .generic: tensors = [:]
        }
        return DetectedLayout(layout: layout, reason: reason, tensors: tensors)
    }
}

/// The walk of one file, read for its layout.
private struct Scan: ~Copyable {
    let file: String
    let handle: File
    let entries: [ObjectEntry]

    /// Opens `file` and walks it.
    init(file: String) throws(CalibrationError) {
        self.file = file
        let opened: File
        do { opened = try File(file) } catch { throw .input(.hdf5(error)) }
        do { entries = try opened.walk() } catch { throw .input(.hdf5(error)) }
        handle = opened
    }

    var datasets: [String] { entries.filter { $0.kind == .dataset }.map(\.path) }
    var groups: Set<String> { Set(entries.filter { $0.kind == .group }.map(\.path)) }

    /// The legacy container (`/model_weights` or the root) when it has `layer_names`.
    func legacyContainer() throws(HDF5Error) -> String? {
        if groups.contains("/model_weights"), try handle.openGroup("/model_weights").hasAttribute("layer_names") {
            return "/model_weights"
        }
        return try handle.hasAttribute("layer_names") ? "" : nil
    }

    func detect() throws(CalibrationError) -> (ModelLayout, String) {
        let varsGroups = groups.filter { $0.hasPrefix("/layers/") && $0.hasSuffix("/vars") }
        if groups.contains("/layers"), !varsGroups.isEmpty {
            return (.keras, "detected: \(varsGroups.count) Keras 3 layers/*/vars groups")
        }
        do {
            if let container = try legacyContainer() {
                return (.kerasLegacy, "detected: layer_names attribute on \(container.isEmpty ? "/" : container)")
            }
        } catch {
            throw .input(.hdf5(error))
        }
        let leaves = datasets.map { Self.leaf(of: $0) }
        if leaves.contains("weight"), !leaves.contains(where: { $0.hasPrefix("kernel") }) {
            return (.torch, "detected: PyTorch state-dict keys (*.weight)")
        }
        return (.generic, "detected: no framework layout (built-in naming rules)")
    }

    /// The last key component of a dataset path: after the last `/`, then after the last `.`.
    static func leaf(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.split(separator: ".").last.map(String.init) ?? name
    }

    func fail(_ path: String, _ reason: String) -> CalibrationError {
        .layout(LayoutError(file: file, path: path, reason: reason))
    }

    func shape(_ path: String) throws(CalibrationError) -> [Int] {
        do { return try handle.openDataset(path).shape } catch { throw .input(.hdf5(error)) }
    }

    func strings(_ attribute: String, of group: String) throws(CalibrationError) -> [String]? {
        do {
            let object = try handle.openGroup(group.isEmpty ? "/" : group)
            guard try object.hasAttribute(attribute) else { return nil }
            switch try object.attribute(attribute) {
            case .strings(let values): return values
            case .string(let value): return [value]
            case .floats(let values) where values.isEmpty: return []  // Keras writes `[]` as float64
            case .integers(let values) where values.isEmpty: return []
            default: throw fail("\(group)@\(attribute)", "attribute is not a string or an array of strings")
            }
        } catch let error as HDF5Error {
            throw .input(.hdf5(error))
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw fail("\(group)@\(attribute)", "\(error)")
        }
    }

    // MARK: Keras 3 native

    func kerasNative() throws(CalibrationError) -> [String: LayoutTensor] {
        var tensors: [String: LayoutTensor] = [:]
        let all = datasets
        var used: [String: String] = [:]
        for group in groups.sorted() where group.hasSuffix("/vars") && group.hasPrefix("/layers/") {
            let variables = all.filter { $0.hasPrefix(group + "/") && !$0.dropFirst(group.count + 1).contains("/") }
            guard !variables.isEmpty else { continue }
            guard let name = try strings("name", of: group)?.first, !name.isEmpty else {
                throw fail(group, "Keras variables group has no `name` attribute (the layer's name)")
            }
            let classGroup = group.dropLast("/vars".count).split(separator: "/").last.map(String.init) ?? ""
            // Two nested layers of one name (sub-layers of different blocks): keep them apart by group path.
            let layer = used[name].map { _ in String(group.dropFirst().dropLast("/vars".count)) } ?? name
            used[layer] = group
            let snake = KerasClass.stripIndex(classGroup)
            let ordered = variables.compactMap { path -> (Int, String)? in
                Int(path.dropFirst(group.count + 1)).map { ($0, path) }
            }.sorted { $0.0 < $1.0 }
            var shapes: [[Int]] = []
            for (_, path) in ordered { shapes.append(try shape(path)) }
            let roles = KerasClass.roles(snake: snake, shapes: shapes)
            for (position, (index, path)) in ordered.enumerated() {
                let (role, varName) = roles[position]
                tensors[path] = KerasClass.tensor(
                    dataset: path, layer: layer, role: role, snake: snake, shape: shapes[position],
                    sourceName: "\(layer)/\(varName ?? "vars/\(index)")")
            }
        }
        return tensors
    }

    // MARK: Legacy Keras

    func kerasLegacy() throws(CalibrationError) -> [String: LayoutTensor] {
        let container: String
        do {
            guard let found = try legacyContainer() else {
                throw fail("/", "no layer_names attribute on / or /model_weights: not a legacy Keras HDF5 file")
            }
            container = found
        } catch let error as HDF5Error {
            throw .input(.hdf5(error))
        } catch let error as CalibrationError {
            throw error
        } catch {
            throw fail("/", "\(error)")
        }
        let classes = try modelConfigClasses()
        let layerNames = try strings("layer_names", of: container) ?? []
        let groupSet = groups
        let datasetSet = Set(datasets)
        var tensors: [String: LayoutTensor] = [:]
        for name in layerNames {
            let group = "\(container)/\(name)"
            guard groupSet.contains(group) else {
                throw fail(
                    group,
                    "layer \(name) is listed in layer_names of \(container.isEmpty ? "/" : container) "
                        + "but has no group")
            }
            let weightNames = try strings("weight_names", of: group) ?? []
            for weightName in weightNames {
                let path = "\(group)/\(weightName)"
                guard datasetSet.contains(path) else {
                    throw fail(path, "weight \(weightName) is listed in weight_names of \(group) but has no dataset")
                }
                let variable = KerasClass.variableName(weightName)
                let snake = classes[name].map(KerasClass.snake) ?? KerasClass.guessSnake(variable: variable)
                let role = KerasClass.legacyRole(variable: variable, snake: snake)
                tensors[path] = KerasClass.tensor(
                    dataset: path, layer: name, role: role, snake: snake, shape: try shape(path),
                    sourceName: weightName, layerClass: classes[name])
            }
        }
        return tensors
    }

    /// Layer name → class name from the root's `model_config` JSON (absent for weights-only files).
    func modelConfigClasses() throws(CalibrationError) -> [String: String] {
        guard let text = try strings("model_config", of: "")?.first else { return [:] }
        guard let data = text.data(using: .utf8),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw fail("/@model_config", "attribute is not a JSON object") }
        var classes: [String: String] = [:]
        func visit(_ value: Any) {
            if let object = value as? [String: Any] {
                if let className = object["class_name"] as? String,
                    let name = (object["config"] as? [String: Any])?["name"] as? String ?? object["name"] as? String
                {
                    classes[name] = className
                }
                object.values.forEach(visit)
            } else if let array = value as? [Any] {
                array.forEach(visit)
            }
        }
        visit(json["config"] ?? [:])
        return classes
    }

    // MARK: PyTorch

    /// A transposed convolution's weight, `ConvTransposeNd.weight` `[in, out/groups, k…]`, has its output
    /// channels on axis 1, where `ConvNd.weight` `[out, in/groups, k…]` has them on axis 0; a state dict
    /// does not say which module it came from. The bias tells: it has one entry per output channel, so
    /// a bias of `shape[1]` entries (≠ `shape[0]`) makes the weight transposed (groups = 1), and one of
    /// `g·shape[1]` entries a grouped transposed convolution, whose output channel `gᵢ·shape[1] + j` is
    /// not one axis: axis 1 then gives one scale per `j`, shared by the g groups (noted). Without a
    /// bias the module name decides (`…deconv…`, `…transpose…`, `…upconv…`), noted as a guess.
    static func transposedConvolutionAxes(_ tensor: inout LayoutTensor, shape: [Int], biasCount: Int?) {
        let name = tensor.layer.lowercased()
        if let biasCount {
            guard biasCount != shape[0], shape[1] > 0, biasCount % shape[1] == 0 else { return }
            (tensor.outputAxis, tensor.inputAxis) = (1, 0)
            let groups = biasCount / shape[1]
            if groups > 1 {
                tensor.axisNote =
                    "transposed convolution weight \(shape) with \(groups) groups (bias of \(biasCount)): one "
                    + "scale per axis-1 index, shared by the \(groups) groups' output channels"
            }
        } else if ["deconv", "transpose", "upconv"].contains(where: name.contains) {
            (tensor.outputAxis, tensor.inputAxis) = (1, 0)
            tensor.axisNote =
                "no bias: output channels taken on axis 1 (a transposed convolution by its name); "
                + "set `axis` in an override if this is wrong"
        }
    }

    func torch() throws(CalibrationError) -> [String: LayoutTensor] {
        struct Key {
            var path: String
            var stem: String
            var leaf: String
            var shape: [Int]
        }
        var keys: [Key] = []
        for path in datasets {
            let dotted = path.split(separator: "/").joined(separator: ".")
            let parts = dotted.split(separator: ".", omittingEmptySubsequences: false)
            let leaf = parts.last.map(String.init) ?? dotted
            let stem = parts.count > 1 ? parts.dropLast().joined(separator: ".") : dotted
            keys.append(Key(path: path, stem: stem, leaf: leaf, shape: try shape(path)))
        }
        let weightRanks = Dictionary(
            keys.filter { $0.leaf == "weight" }.map { ($0.stem, $0.shape.count) }, uniquingKeysWith: { a, _ in a })
        let biasCounts = Dictionary(
            keys.filter { $0.leaf == "bias" && $0.shape.count == 1 }.map { ($0.stem, $0.shape[0]) },
            uniquingKeysWith: { a, _ in a })
        var tensors: [String: LayoutTensor] = [:]
        for key in keys {
            let source = key.path.split(separator: "/").joined(separator: ".")
            var tensor = LayoutTensor(dataset: key.path, layer: key.stem, role: .other, slot: nil, sourceName: source)
            switch key.leaf {
            case "weight" where key.shape.count >= 2:
                let embedding = key.shape.count == 2 && key.stem.lowercased().contains("embed")
                tensor.role = embedding ? .embedding : .kernel
                tensor.slot = .weight
                (tensor.outputAxis, tensor.inputAxis) = (0, 1)
                if key.shape.count >= 3 {
                    Self.transposedConvolutionAxes(&tensor, shape: key.shape, biasCount: biasCounts[key.stem])
                }
            case "weight" where key.shape.count == 1:
                (tensor.role, tensor.slot) = (.normScale, .weight)
            case "bias" where key.shape.count == 1:
                (tensor.role, tensor.slot) = (weightRanks[key.stem] == 1 ? .normShift : .bias, .bias)
            default:
                break
            }
            tensors[key.path] = tensor
        }
        return tensors
    }
}
