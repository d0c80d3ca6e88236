import Foundation
import Testing

/// `docs/architecture.md` lists, for every module, what it may import: the list must equal the module's
/// dependencies in `Package.swift`, and every `import` in its sources must be on it.
struct ArchitectureDocTests {
    /// Module → allowed imports, from the table of `docs/architecture.md`.
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOf: Bundled.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3 else { continue }
            let module = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            table[module] = Set(
                cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "—" })
        }
        return table
    }

    /// Target → dependencies (products by name), from `Package.swift`'s `.target`/`.executableTarget` entries.
    static func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOf: Bundled.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let entry = try Regex(
            #"\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*"([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        let product = try Regex(#"\.product\(name:\s*"([^"]+)"[^)]*\)"#)
        let plain = try Regex(#""([A-Za-z0-9_-]+)""#)
        var targets: [String: Set<String>] = [:]
        for match in text.matches(of: entry) {
            guard let name = match.output[1].substring.map(String.init) else { continue }
            var list = match.output[2].substring.map(String.init) ?? ""
            var deps = Set(list.matches(of: product).compactMap { $0.output[1].substring.map(String.init) })
            list = list.replacing(product, with: "")
            deps.formUnion(list.matches(of: plain).compactMap { $0.output[1].substring.map(String.init) })
            targets[name] = deps
        }
        return targets
    }

    @Test func tableMatchesPackageSwift() throws {
        let documented = try Self.documented()
        let declared = try Self.declared()
        #expect(Set(documented.keys) == Set(declared.keys))
        for (module, imports) in documented {
            #expect(
                declared[module] == imports,
                "\(module): Package.swift has \(declared[module].map { $0.sorted() } ?? [])")
        }
    }

    @Test func sourcesImportOnlyWhatTheTableAllows() throws {
        let system: Set<String> = ["Foundation", "Glibc", "Darwin", "Musl", "Dispatch", "Synchronization"]
        let importLine = try Regex(#"^\s*(?:@_exported\s+)?(?:public\s+|internal\s+|package\s+)?import\s+(\w+)"#)
        for (module, allowed) in try Self.documented() {
            let folder = Bundled.root.appendingPathComponent("Sources/\(module)")
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    guard let match = line.firstMatch(of: importLine), let name = match.output[1].substring else {
                        continue
                    }
                    #expect(
                        system.contains(String(name)) || allowed.contains(String(name)),
                        "\(module)/\(file) imports \(name)")
                }
            }
        }
    }
}
