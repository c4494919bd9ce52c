import Foundation

/// Where atom finds credentials and settings (tokens, keys, endpoint overrides).
///
/// `nil` means "nothing here"; a throw means "here but broken" (a malformed `.env` line).
///
/// ## Implementing a custom credential store
/// ```swift
/// struct Fixed: CredentialStore {
///     let values: [String: String]
///     func value(for key: String) throws -> String? { values[key] }
/// }
/// ```
public protocol CredentialStore: Sendable {
    /// The value for `key`, or `nil` when this store has none.
    func value(for key: String) throws -> String?
    /// Writes `values` (for refreshed tokens); stores that cannot write throw.
    func set(_ values: [String: String]) throws
}

extension CredentialStore {
    public func set(_ values: [String: String]) throws {
        throw PublishError(.configuration, message: "this credential store is read-only")
    }

    /// The value for `key`, treating an empty value as absent.
    public func nonEmpty(_ key: String) throws -> String? {
        guard let value = try value(for: key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// The value for `key`, or a configuration error naming the key and what to do.
    public func required(_ key: String, platform: PlatformID? = nil, remediation: String? = nil) throws -> String {
        guard let value = try nonEmpty(key) else {
            throw PublishError(
                .configuration, platform: platform, message: "\(key) is not set",
                remediation: remediation ?? "add \(key)=… to your .env file"
            )
        }
        return value
    }
}

/// Values from a dictionary — the process environment, injected (tests pass their own).
public struct EnvironmentStore: CredentialStore {
    public let values: [String: String]

    /// Wraps a dictionary such as the process environment (read once, in the composition root).
    public init(_ values: [String: String]) {
        self.values = values
        for (key, value) in values where Redaction.isSecretKey(key) { Redaction.register(secret: value) }
    }

    public func value(for key: String) throws -> String? { values[key] }
}

/// Stores consulted in order; the first that has a key wins. Writes go to the first writable store
/// (the `.env` file), never to the environment.
public struct ChainedCredentialStore: CredentialStore {
    public let stores: [any CredentialStore]
    private let writer: (any CredentialStore)?

    /// Chains `stores` (highest precedence first); `writer` receives `set` calls.
    public init(_ stores: [any CredentialStore], writer: (any CredentialStore)? = nil) {
        self.stores = stores
        self.writer = writer
    }

    public func value(for key: String) throws -> String? {
        for store in stores {
            if let value = try store.value(for: key) { return value }
        }
        return nil
    }

    public func set(_ values: [String: String]) throws {
        guard let writer else { throw PublishError(.configuration, message: "no writable .env file to save refreshed tokens to") }
        try writer.set(values)
    }
}

/// An in-memory store (tests, settings that win over the others).
public final class MemoryCredentialStore: CredentialStore {
    private let storage: LockedBox<[String: String]>

    public init(_ values: [String: String] = [:]) { storage = LockedBox(values) }

    public func value(for key: String) throws -> String? { storage.withLock { $0[key] } }

    public func set(_ values: [String: String]) throws {
        storage.withLock { $0.merge(values) { $1 } }
    }

    /// Everything stored.
    public var all: [String: String] { storage.withLock { $0 } }
}
