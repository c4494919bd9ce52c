/// The identity of a publishing platform.
///
/// Each adapter declares its own identifier as a static member, so the core never names a platform:
/// ```swift
/// extension PlatformID { public static let example = PlatformID("example") }
/// ```
/// Strings become identifiers once, at the command-line or configuration edge.
public struct PlatformID: NamedValue, Comparable {
    /// The lowercase name used on the command line, in the record and in `--json` output.
    public let rawValue: String

    /// Creates an identifier from its command-line name.
    /// - Parameter rawValue: A lowercase name such as the one passed to `--to`.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: PlatformID, rhs: PlatformID) -> Bool { lhs.rawValue < rhs.rawValue }
}
