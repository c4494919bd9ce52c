/// A value named by a string and open to new members, declared as static constants (`PlatformID`, a record status,
/// a progress phase): it is encoded as the bare string (the standard library's `RawRepresentable` coding) and
/// printed as it.
public protocol NamedValue: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible where RawValue == String {
    /// Creates the value named `rawValue`.
    init(rawValue: String)
}

extension NamedValue {
    /// Creates the value named `rawValue`.
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }

    /// The name.
    public var description: String { rawValue }
}
