import Foundation
import Logging

/// What a provider may use while redeeming a grant.
public struct OAuthContext: Sendable {
    /// The HTTP transport.
    public var transport: any HTTPTransport
    /// The terminal (questions such as "which Page?").
    public var console: LoginConsole
    /// Settings and credentials (environment over `.env`), e.g. `FACEBOOK_PAGE_ID`.
    public var credentials: any CredentialStore
    /// The wall clock, for expiry times.
    public var now: @Sendable () -> Date
    /// Trace and debug only; never secrets.
    public var logger: Logger

    public init(
        transport: any HTTPTransport, console: LoginConsole, credentials: any CredentialStore,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "atom.auth", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.transport = transport
        self.console = console
        self.credentials = credentials
        self.now = now
        self.logger = logger
    }
}

/// What a login produced.
public struct OAuthLoginResult: Sendable {
    /// The `.env` keys and values to write (only keys the platform owns).
    public var values: [String: String]
    /// Lines for the user (never secrets): the account or Page chosen, scopes not granted, expiry.
    public var notes: [String]

    public init(values: [String: String], notes: [String] = []) {
        self.values = values
        self.notes = notes
        for (key, value) in values where Redaction.isSecretKey(key) { Redaction.register(secret: value) }
    }
}

/// Expiry times as atom writes them to the `.env` (`…_EXPIRES_AT`): ISO 8601 in UTC, whole seconds.
public enum ExpiryTime {
    /// `now + seconds`, formatted, or `nil` when `seconds` is missing or not positive.
    public static func string(after seconds: Double?, from now: Date) -> String? {
        guard let seconds, seconds > 0 else { return nil }
        return format(now.addingTimeInterval(seconds.rounded(.down)))
    }

    /// `2026-05-01T12:00:00Z`.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
