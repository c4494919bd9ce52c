import Foundation

/// The kit's reader for a platform's manifest options (`platforms.<name>.*` as `[String: JSONValue]`):
/// typed values out, and every unknown key or wrong type a ``ValidationIssue`` on `platforms.<name>.<key>`
/// in the same words on every platform. A key set to `null` counts as not set.
///
/// ```swift
/// let options = ManifestOptions(draft.options, platform: .example, known: ["title", "notify"])
/// let title = options.string("title")
/// let notify = options.bool("notify") ?? true
/// problems += options.problems
/// ```
public final class ManifestOptions {
    /// The platform whose section this is.
    public let platform: PlatformID
    /// The options as written.
    public let values: [String: JSONValue]
    /// The problems found so far: unknown keys at once, wrong types as values are read.
    public private(set) var problems: [ValidationIssue] = []

    /// Reads `values`, noting every key not in `known`.
    public init(_ values: [String: JSONValue], platform: PlatformID, known: some Collection<String>) {
        self.platform = platform
        self.values = values
        let list = known.sorted().joined(separator: ", ")
        for key in values.keys.sorted() where !known.contains(key) {
            problem(key, "unknown option (\(platform) takes: \(list))")
        }
    }

    /// The manifest path of `key`: `platforms.<name>.<key>`.
    public func field(_ key: String) -> String { "platforms.\(platform).\(key)" }

    /// Notes a problem found another way (a generic field such as `privacy`), in order with the rest.
    public func append(_ issue: ValidationIssue) {
        problems.append(issue)
    }

    /// Notes a problem with `key`'s value.
    public func problem(_ key: String, _ message: String) {
        problems.append(ValidationIssue(platform: platform, field: field(key), message: message))
    }

    /// The value of `key`, or `nil` when absent or `null`.
    public subscript(key: String) -> JSONValue? {
        guard let value = values[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// A text option; another type is a problem ("must be a string").
    public func string(_ key: String) -> String? {
        typed(key, "must be a string", \.stringValue)
    }

    /// A switch; another type is a problem ("must be true or false").
    public func bool(_ key: String) -> Bool? {
        typed(key, "must be true or false", \.boolValue)
    }

    /// A whole number in `range`; anything else is a problem with `message`.
    public func wholeNumber(_ key: String, in range: ClosedRange<Double>, otherwise message: String) -> Int? {
        typed(key, message) { value in
            value.numberValue.flatMap { $0.rounded() == $0 && range.contains($0) ? Int($0) : nil }
        }
    }

    /// A list of strings; another shape is a problem with `message`.
    public func strings(_ key: String, otherwise message: String = "must be a list of strings") -> [String]? {
        typed(key, message) { value in
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else { return nil }
            return items.compactMap(\.stringValue)
        }
    }

    private func typed<T>(_ key: String, _ message: String, _ read: (JSONValue) -> T?) -> T? {
        guard let value = self[key] else { return nil }
        guard let typed = read(value) else {
            problem(key, message)
            return nil
        }
        return typed
    }
}
