import Foundation

/// An OAuth access token with its expiry.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var expiresAt: Date?

    public init(value: String, expiresAt: Date?) {
        self.value = value
        self.expiresAt = expiresAt
        Redaction.register(secret: value)
    }

    /// Whether the token expires within `margin` of `now`.
    public func isExpiring(within margin: TimeInterval, now: Date) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) < margin
    }

    /// Never shows the token.
    public var description: String { "AccessToken(\(Redaction.mask))" }
}

/// Holds an access token and refreshes it one refresh at a time (Soto's `ExpiringValue` idea):
/// concurrent callers during a refresh await the same refresh, inside their own tasks.
public actor TokenRefresher {
    public typealias Refresh = @Sendable () async throws -> AccessToken

    private var current: AccessToken?
    private var inFlight: [CheckedContinuation<AccessToken, any Error>]?
    private let refresh: Refresh
    private let margin: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - initial: A cached token (from the `.env`), if any.
    ///   - margin: Refresh this long before expiry.
    ///   - refresh: Obtains a new token (and writes it back to the store).
    public init(initial: AccessToken?, margin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }, refresh: @escaping Refresh) {
        self.current = initial
        self.margin = margin
        self.now = now
        self.refresh = refresh
    }

    /// A valid token: the cached one unless it is missing or about to expire.
    public func token() async throws -> AccessToken {
        if let current, !current.isExpiring(within: margin, now: now()) { return current }
        return try await refreshNow()
    }

    /// Refreshes now (after a 401), unless another caller already replaced `stale`.
    public func refreshNow(replacing stale: AccessToken? = nil) async throws -> AccessToken {
        if let stale, let current, current != stale, !current.isExpiring(within: margin, now: now()) { return current }
        if inFlight != nil {
            return try await withCheckedThrowingContinuation { continuation in inFlight?.append(continuation) }
        }
        inFlight = []
        do {
            let token = try await refresh()
            current = token
            let waiters = inFlight ?? []
            inFlight = nil
            for waiter in waiters { waiter.resume(returning: token) }
            return token
        } catch {
            let waiters = inFlight ?? []
            inFlight = nil
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
    }
}
