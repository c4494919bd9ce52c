import Foundation
import PublishingCore
import Yams

/// A post manifest (`--manifest post.yaml|post.json`): defaults for every platform plus per-platform
/// overrides in each platform's own names. Unknown keys and unknown platforms are errors (exit 65).
struct Manifest: Sendable {
    var caption: String?
    var title: String?
    var privacy: Privacy?
    var tags: [String]?
    var at: Date?
    var platforms: [String: [String: JSONValue]] = [:]
    /// `cover` / `cover_at` at the top level.
    var cover = CoverChoice()
    /// `cover` / `cover_at` in each platform's section (taken out of its options).
    var platformCovers: [String: CoverChoice] = [:]

    static let topLevelKeys: Set<String> = ["caption", "title", "privacy", "tags", "at", "cover", "cover_at", "platforms"]

    /// Loads and checks a manifest file.
    /// - Parameter known: The registered platform names.
    static func load(path: String, known: [String]) throws -> Manifest {
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path, limit: maximumSize, what: "the manifest")
        } catch let error as BoundedFile.Refusal {
            throw PublishError(.invalidInput, message: error.message, remediation: "check the path")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PublishError(.invalidInput, message: "the manifest \(path) is not UTF-8 text", remediation: "check the path")
        }
        return try parse(text, source: path, known: known)
    }

    /// The largest manifest atom reads (256 KiB): a post's texts for four platforms fit many times over.
    static let maximumSize = 256 * 1024
    /// The most YAML nodes a manifest may hold once aliases are expanded: a few hundred are plenty, and the cap
    /// stops an alias bomb (nested `&a [*b, *b, …]`) before it is expanded into memory.
    static let maximumNodes = 10_000

    static func parse(_ text: String, source: String, known: [String]) throws -> Manifest {
        guard text.utf8.count <= maximumSize else {
            throw PublishError(.invalidInput, message: "\(source) is larger than 256 KiB; it is not a post manifest")
        }
        let loaded: Any?
        do {
            // Compose first (aliases stay shared, so this is linear in the text), count the nodes an expansion
            // would make, and only then build the values.
            let node = try Yams.compose(yaml: text)
            if let node {
                var budget = maximumNodes
                guard JSONValue.fits(node, budget: &budget) else {
                    throw PublishError(
                        .invalidInput,
                        message: "\(source) expands to more than \(maximumNodes) values (YAML aliases?); atom refuses it",
                        remediation: "write the manifest out without anchors and aliases (&name / *name)")
                }
            }
            loaded = node?.any
        } catch let error as PublishError {
            throw error
        } catch {
            throw PublishError(
                .invalidInput, message: "\(source) is not valid YAML or JSON: \(Redaction.outsideText("\(error)"))")
        }
        guard let root = loaded as? [String: Any] else {
            throw PublishError(.invalidInput, message: "\(source) must be a mapping of keys to values")
        }
        var problems: [String] = []
        var manifest = Manifest()
        for key in root.keys.sorted() where !topLevelKeys.contains(key) {
            problems.append("unknown key '\(key)' (known: \(topLevelKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) -> String? {
            guard let value = root[key] else { return nil }
            if let text = value as? String { return text }
            if value is NSNull { return nil }
            problems.append("'\(key)' must be text")
            return nil
        }
        manifest.caption = string("caption")
        manifest.title = string("title")
        if let value = string("privacy") {
            if let privacy = Privacy(rawValue: value) { manifest.privacy = privacy } else {
                problems.append("privacy '\(value)' is not one of \(Privacy.allCases.map(\.rawValue).joined(separator: "|"))")
            }
        }
        if let tags = root["tags"] {
            if let list = tags as? [Any] { manifest.tags = list.map { "\($0)" } } else if let one = tags as? String {
                manifest.tags = one.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            } else { problems.append("'tags' must be a list") }
        }
        if let at = root["at"] {
            if let date = at as? Date { manifest.at = date } else if let text = at as? String, let date = ISO8601Text.parse(text) {
                manifest.at = date
            } else { problems.append("'at' must be an ISO 8601 date-time such as 2026-12-01T18:00:00Z") }
        }
        manifest.cover = coverChoice(root, in: "", problems: &problems)
        if let platforms = root["platforms"] {
            guard let map = platforms as? [String: Any] else {
                throw PublishError(.invalidInput, message: "\(source): 'platforms' must be a mapping")
            }
            for (name, section) in map.sorted(by: { $0.key < $1.key }) {
                guard known.contains(name.lowercased()) else {
                    problems.append("unknown platform '\(name)' under platforms (known: \(known.joined(separator: ", ")))")
                    continue
                }
                guard let values = section as? [String: Any] else {
                    if section is NSNull { continue }
                    problems.append("platforms.\(name) must be a mapping")
                    continue
                }
                var options = values
                let choice = coverChoice(options, in: "platforms.\(name).", problems: &problems)
                options["cover"] = nil
                options["cover_at"] = nil
                if !choice.isEmpty { manifest.platformCovers[name.lowercased()] = choice }
                manifest.platforms[name.lowercased()] = options.mapValues(JSONValue.init(yaml:))
            }
        }
        guard problems.isEmpty else {
            throw PublishError(.invalidInput, message: "\(source): " + problems.joined(separator: "; "), remediation: "fix the manifest")
        }
        return manifest
    }
}

extension Manifest {
    /// Reads `cover` (a path) and `cover_at` (seconds, 0 or more) from a mapping.
    static func coverChoice(_ map: [String: Any], in prefix: String, problems: inout [String]) -> CoverChoice {
        var choice = CoverChoice()
        if let value = map["cover"], !(value is NSNull) {
            if let path = value as? String, !path.isEmpty { choice.imagePath = path } else {
                problems.append("'\(prefix)cover' must be the path of a JPEG or PNG image")
            }
        }
        if let value = map["cover_at"], !(value is NSNull) {
            let seconds = (value as? Double) ?? (value as? Int).map(Double.init)
            if let seconds, seconds >= 0, seconds.isFinite { choice.frameAt = seconds } else {
                problems.append("'\(prefix)cover_at' must be a number of seconds, 0 or more")
            }
        }
        return choice
    }
}

extension JSONValue {
    /// Whether `node`, with every alias expanded, has at most `budget` nodes (stops counting once over).
    static func fits(_ node: Node, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            for child in sequence where !fits(child, budget: &budget) { return false }
        case .mapping(let mapping):
            for (key, value) in mapping where !fits(key, budget: &budget) || !fits(value, budget: &budget) { return false }
        }
        return true
    }

    /// Converts a value loaded by Yams.
    init(yaml value: Any) {
        switch value {
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .number(Double(v))
        case let v as Double: self = .number(v)
        case let v as String: self = .string(v)
        case let v as Date: self = .string(v.formatted(.iso8601))
        case let v as [Any]: self = .array(v.map(JSONValue.init(yaml:)))
        case let v as [String: Any]: self = .object(v.mapValues(JSONValue.init(yaml:)))
        case is NSNull: self = .null
        default: self = .string("\(value)")
        }
    }
}

