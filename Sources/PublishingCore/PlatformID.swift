/// The identity of a publishing platform.
///
/// Each adapter declares its own identifier as a static member, so the core never names a platform:
/// ```swift
/// extension PlatformID { public static let example = PlatformID("example") }
/// ```
/// Strings become identifiers once, at the command-line or configuration edge.
public struct PlatformID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The lowercase name used on the command line, in the record and in `--json` output.
    public let rawValue: String

    /// Creates an identifier from its command-line name.
    /// - Parameter rawValue: A lowercase name such as the one passed to `--to`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: PlatformID, rhs: PlatformID) -> Bool { lhs.rawValue < rhs.rawValue }
}
